"""Message boxes: errors, notices, and the questions asked before work could be lost."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QMessageBox, QWidget

from engine.score import counted, listed, plural


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """An error the user must see (a file that cannot be opened or saved)."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok,
                      parent)
    box.exec()


def show_notice(parent: QWidget | None, title: str, message: str) -> None:
    """A one-time explanation (e.g. no audio device), not an error."""
    box = QMessageBox(QMessageBox.Icon.Information, title, message,
                      QMessageBox.StandardButton.Ok, parent)
    box.exec()


def show_warning(parent: QWidget | None, title: str, message: str) -> None:
    """What a file read or written keeps less well than the song: a notice with the
    warning icon (an information icon over "opened, with a warning" said the opposite)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                      QMessageBox.StandardButton.Ok, parent)
    box.exec()


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)


def ask_save_changes(parent: QWidget | None, name: str, running: int = 0,
                     takes: int = 0) -> str:
    """``"save"``, ``"discard"`` or ``"cancel"`` for unsaved changes to ``name`` and
    ``takes`` generated takes not yet accepted (Save keeps them in the project, Discard
    loses them); ``running`` generations stop either way (said: their takes are lost)."""
    answer = save_changes_box(parent, name, running, takes).exec()
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    if answer == QMessageBox.StandardButton.Discard:
        return "discard"
    return "cancel"


# Alt+S, Alt+D, Alt+C, as KDE's standard buttons have them (Qt's own theme gives none).
MNEMONICS = {QMessageBox.StandardButton.Save: "&Save",
             QMessageBox.StandardButton.Discard: "&Discard",
             QMessageBox.StandardButton.Cancel: "&Cancel"}


def save_changes_box(parent: QWidget | None, name: str, running: int = 0,
                     takes: int = 0) -> QMessageBox:
    """The "Save changes?" box of :func:`ask_save_changes`, not yet shown."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved changes")
    # The takes waiting are work too: the box said nothing of them (QA), and Discard
    # loses them as it loses the edits.
    waiting = f" and {plural(takes, 'take')} not accepted" if takes else ""
    box.setText(f"Save changes to “{name}”{waiting} before closing?")
    stops = (f" {counted(running, 'generation', 'run')}: going on stops "
             f"{'it' if running == 1 else 'them'}, and the takes are lost." if running else "")
    lost = ("Your changes and the takes will be lost if you don’t save them; Save keeps "
            "the takes in a .partita project." if takes else
            "Your changes will be lost if you don’t save them.")
    box.setInformativeText(f"{lost}{stops}")
    box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                           | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    for which, text in MNEMONICS.items():
        box.button(which).setText(text)
    return box


def _ask(parent: QWidget | None, title: str, text: str, info: str,
         buttons: list[tuple[str, str, QMessageBox.ButtonRole]], default: str) -> str:
    """A warning with one button per ``(answer, label, role)``; the answer clicked, or
    ``"cancel"`` when the box is closed another way."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(info)
    made = {box.addButton(label, role): answer for answer, label, role in buttons}
    for button, answer in made.items():
        if answer == default:
            box.setDefaultButton(button)
    box.exec()
    return made.get(box.clickedButton(), "cancel")


def ask_overwrite_changed(parent: QWidget | None, name: str) -> str:
    """``"overwrite"``, ``"save_as"`` or ``"cancel"`` when ``name`` changed on disk since
    it was opened or last saved (another program, another window)."""
    role = QMessageBox.ButtonRole
    return _ask(parent, "File changed on disk",
                f"“{name}” changed on disk since you opened it.",
                "Another program or window saved it. Overwriting replaces that version "
                "with this one.",
                [("overwrite", "&Overwrite", role.DestructiveRole),
                 ("save_as", "Save &As…", role.AcceptRole),
                 ("cancel", "&Cancel", role.RejectRole)], "save_as")


def ask_save_over_midi(parent: QWidget | None, name: str, dropped: str,
                       losing: Sequence[str] = ()) -> str:
    """``"project"``, ``"anyway"`` or ``"cancel"`` before saving over the MIDI file the song
    came from (a DAW never makes an imported file the save target silently). ``dropped``:
    what it holds that Partita does not keep ("lyrics (3), …"), or empty; ``losing``: what
    of the session a MIDI file cannot hold (empty tracks, mute, waiting takes …)."""
    role = QMessageBox.ButtonRole
    what = (f"“{name}” has {dropped} that Partita does not keep; saving over it removes "
            "them." if dropped else
            f"“{name}” is the MIDI file you opened. Saving over it replaces it with "
            "Partita's MIDI version of the song (its channel layout and note-off "
            "velocities are not kept).")
    info = "Save as a .partita project to keep the original file as it is."
    if losing:
        info += "\n\nA MIDI file would also lose:\n" + "\n".join(f"• {x}" for x in losing)
    return _ask(parent, "Save over the MIDI file?", what, info,
                [("project", "Save as a .partita &Project…", role.AcceptRole),
                 ("anyway", "Save A&nyway", role.DestructiveRole),
                 ("cancel", "&Cancel", role.RejectRole)], "project")


def ask_discard_takes(parent: QWidget | None, count: int, running: int = 0) -> str:
    """``"save"``, ``"discard"`` or ``"cancel"`` before closing with generated takes not
    yet accepted and not saved, or generations still running (their takes would be
    lost: ``"discard"`` stops them)."""
    role = QMessageBox.ButtonRole
    takes, jobs = plural(count, "take"), plural(running, "generation")
    if not count:
        return _ask(parent, "Generation running",
                    f"{counted(running, 'generation', 'run')} (not finished yet).",
                    "Going on stops the model; the takes it is writing are lost.",
                    [("discard", "Stop and &Go On", role.DestructiveRole),
                     ("cancel", "&Cancel", role.RejectRole)], "cancel")
    also = f", and {jobs} still running (stopped, their takes lost)" if running else ""
    return _ask(parent, "Takes not accepted",
                f"You have {takes} not yet accepted{also}.",
                "A .partita project keeps the takes; otherwise they are lost.",
                [("save", "&Save Project…", role.AcceptRole),
                 ("discard", "&Discard", role.DestructiveRole),
                 ("cancel", "&Cancel", role.RejectRole)], "save")


def _ask_destructive(parent: QWidget | None, title: str, text: str, info: str) -> bool:
    """A Yes/No question before something is deleted: No is the default and Esc."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setInformativeText(info)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_replace_stale(parent: QWidget | None, folder: Path, stale: Sequence[Path]) -> bool:
    """Ask before an export deletes another export's stems from ``folder`` (default: No)."""
    n = len(stale)
    return _ask_destructive(
        parent, "Replace old stems?",
        f"The folder holds {n} stem file{'s' * (n != 1)} from another export "
        f"(e.g. '{stale[0].name}'). Replace them?",
        f"Yes deletes {'them' if n != 1 else 'it'} from {folder} once the new stems are "
        "written; No exports nothing.")


def replaced_files_text(folder: Path, existing: Sequence[Path]) -> str:
    """"mix.wav and 5 stems in FOLDER exist", the files an export would write over
    (:func:`~studio.dialogs.export.existing_files`) counted by kind."""
    mix = [p for p in existing if p.parent == folder]
    stems = [p for p in existing if p.parent.name == "stems" and p.parent.parent == folder]
    learn = [p for p in existing if p not in mix and p not in stems]
    kinds = [p.name for p in mix]
    if stems:
        kinds.append(plural(len(stems), "stem"))
    if learn:
        kinds.append(f"{len(learn)} rehearsal mix{'es' * (len(learn) != 1)}")
    return f"{listed(kinds)} in {folder} exist{'s' * (len(existing) == 1)}"


def ask_replace_export(parent: QWidget | None, folder: Path, existing: Sequence[Path]) -> bool:
    """Ask before an export writes over the files an earlier one left in ``folder``
    (``existing``), as a DAW's bounce asks: Replace or Cancel, Cancel the default and Esc
    (an Enter pressed in haste keeps the old mix)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Replace existing files?",
                      f"{replaced_files_text(folder, existing)}.",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText("Replace writes the new export over them (once it is "
                           "rendered); Cancel exports nothing.")
    replace = box.addButton("&Replace", QMessageBox.ButtonRole.DestructiveRole)  # Alt+R
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setText(MNEMONICS[QMessageBox.StandardButton.Cancel])
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is replace


def ask_remove_model(parent: QWidget | None, name: str, folder: Path, jobs: int) -> bool:
    """Ask before deleting the model ``name`` from ``folder`` (default: No); ``jobs`` of
    it waiting or running are cancelled if the answer is Yes."""
    busy = (f" Its {jobs} waiting or running job{'s' * (jobs != 1)} will be cancelled."
            if jobs else "")
    return _ask_destructive(parent, "Remove model",
                            f"Delete {name} from your models folder ({folder})?",
                            f"This cannot be undone.{busy}")


def pick_colour(parent: QWidget | None, colour: str, title: str) -> str | None:
    """A colour chosen in the standard colour dialog (``#rrggbb``), None when cancelled."""
    chosen = QColorDialog.getColor(QColor(colour), parent, title)
    return chosen.name() if chosen.isValid() else None
