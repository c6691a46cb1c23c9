"""Export the mix, per-track stems and rehearsal mixes with a progress dialog; rendering
runs off the GUI thread.

The files are rendered into a hidden staging folder inside the destination and moved into
place on the GUI thread only when the export was not cancelled, so Cancel never writes
(or overwrites) anything and a previous export stays intact; the folders the export made
for itself ("Song audio", and any missing above it) go too when it writes nothing.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QProgressDialog, QWidget

from engine.score import Song

from ..number_entry import number_text
from ..settings import DEFAULT_EXPORT_STEM_NAMES
from ..worker import Worker
from .progress import ProgressJob

if TYPE_CHECKING:  # engine.render loads when an export starts
    from engine.render import RenderReport

MIX_NAME = "mix.wav"
STEMS_DIR = "stems"
REHEARSAL_DIR = "rehearsal"


class ExportError(Exception):
    """Why an export failed, worded for the user (it names the folder)."""


STAGING_PREFIX = ".partita-export-"
# A file being written under a hidden name (engine.io.atomic.temp_sibling): ".mix.wav.
# 1be392bc.raw" is mix.wav's.
_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{8}\.(?:raw|partial|tmp)")


def _shown_path(folder: Path, filename: str | os.PathLike[str]) -> Path:
    """The file an OS error names, as the user will look for it: a file in the hidden
    staging folder is the one it becomes in ``folder`` ("…/stems/01 - Piano.wav"), the
    staging folder itself ``folder`` (QA: a full disk named "…/.partita-export-ga5xv99m/
    .mix.wav.1be392bc.raw", a file that is never there to find)."""
    path = Path(os.fsdecode(filename))
    try:
        inside = path.relative_to(folder)
    except ValueError:
        return path
    if not inside.parts or not inside.parts[0].startswith(STAGING_PREFIX):
        return path
    parts = list(inside.parts[1:])
    if parts and (temp := _TEMP_NAME.fullmatch(parts[-1])):
        parts[-1] = temp["name"]
    return folder.joinpath(*parts)


def blocking_file(folder: Path) -> Path | None:
    """``folder``, or the nearest folder above it, where it is a file: the export cannot
    make a folder there (QA: "Cannot write to …/base.partita: File exists")."""
    for f in (folder, *folder.parents):
        if f.exists():
            return None if f.is_dir() else f
    return None


def _problem(folder: Path, error: BaseException) -> ExportError:
    if isinstance(error, ExportError):
        return error
    if isinstance(error, OSError) and error.errno in (errno.EEXIST, errno.ENOTDIR) and (
            blocker := blocking_file(folder)):
        problem = ExportError(f"Cannot export to {folder}: {blocker} is a file, not a "
                              "folder. Choose a folder, or a new folder's name.")
    elif isinstance(error, OSError) and error.errno == errno.ENAMETOOLONG and error.filename:
        from engine.io.errors import write_problem  # which name, and how long

        problem = ExportError(f"Cannot write to {folder}: "
                              f"{write_problem(error, _shown_path(folder, error.filename))}.")
    elif isinstance(error, OSError):
        shown = _shown_path(folder, error.filename) if error.filename else None
        where = f" ({shown})" if shown is not None and shown != folder else ""
        problem = ExportError(f"Cannot write to {folder}: {error.strerror or error}{where}.")
    else:
        problem = ExportError(f"Cannot export to {folder}: {error}")
    problem.__cause__ = error
    return problem


def existing_files(song: Song, folder: Path, rehearsal: bool = False,
                   stem_template: str = DEFAULT_EXPORT_STEM_NAMES,
                   song_name: str = "") -> list[Path]:
    """The files in ``folder`` that exporting ``song`` there would write over: its
    ``mix.wav``, this song's stems as ``stem_template`` names them (and rehearsal mixes,
    ``rehearsal``) from an earlier export; in that order."""
    from engine.render.files import rehearsal_names, stem_names

    wanted = [folder / MIX_NAME]
    wanted += [folder / STEMS_DIR / name
               for name in stem_names(song, stem_template, song_name).values()]
    if rehearsal:
        wanted += [folder / REHEARSAL_DIR / name for name in rehearsal_names(song).values()]
    return [p for p in wanted if p.exists()]


# Where the studio raises a fader, for a mix silent because every track is at volume 0.
FADER_HINT = "the volume faders in the track list"


def silent_mix_note(song: Song, report: RenderReport) -> str | None:
    """What a finished export says first when its mix.wav is silent (its peak -inf):
    why, and what to do, as the CLI's warning does ("mix.wav is silent: every track
    heard is at volume 0: 808, Lead. Raise a fader (…)"); ``None`` when it sounds or
    none was written. QA: faders all at 0 wrote a silent mix.wav, "Export finished"."""
    from engine.render.mixing import silent_mix

    if report.mix_path is None or report.mix_peak_dbfs != float("-inf"):
        return None
    why, hint = silent_mix(song, FADER_HINT)
    return f"{MIX_NAME} is silent: {why}. {hint[0].upper()}{hint[1:]}."


# How the studio asks for another fixed gain (the CLI: --gain).
GAIN_HINT = "export at a Level of Fixed gain: {gain} dB"


def clipped_note(report: RenderReport) -> str | None:
    """What a finished fixed-level export says of files that clip (16/24-bit), which,
    by how much and the gain that fits, as the CLI's warning does (``overs.overs_note``);
    ``None`` when none does (float files keep their overs: :func:`mix_and_stems_notes`
    says so as a note)."""
    from engine.render.overs import overs_note

    said = overs_note(report.overs, report.bit_depth, report.gain_db, GAIN_HINT)
    return _sentence(said[1]) if said is not None and said[0] == "warning" else None


def _sentence(text: str) -> str:
    return f"{text[0].upper()}{text[1:]}."


def mix_and_stems_notes(song: Song, report: RenderReport) -> list[str]:
    """What a finished export says of its mix and stems beyond the files: that the mix is
    silent, why and what to do (:func:`silent_mix_note`); the tracks the mix leaves out,
    and why (muted, another soloed), where any with notes is left out; that the stems are
    dry (pre-fader); the bars of the range past the song's end; the notes cut or wrapped
    at the last bar line (``end`` "bar" or "loop"); the fixed gain, and the files past
    0 dBFS at it (clipped, or kept in float); the tracks whose stems
    are silence, by cause (no notes, or none in the range exported; volume 0), from the
    report's peaks. A mix made with the drums muted was reported as any other (QA): the
    stems hold every track whatever is muted or soloed; and an empty track's full-length
    stem of silence was written without a word (QA)."""
    from engine.render.held_past import held_past_note
    from engine.render.mixing import left_out as tracks_left_out
    from engine.render.mixing import silent_stems
    from engine.render.ranges import past_the_end
    from engine.score import listed, track_labels

    labels = track_labels(song)
    muted, unsoloed = tracks_left_out(song)  # what the CLI's note names too
    out = {t.id for t in (*muted, *unsoloed)}
    left_out = [labels[t.id] for t in song.tracks if t.id in out]
    notes = []
    if silent := silent_mix_note(song, report):
        notes.append(silent)
    if left_out:
        how = [f"{listed([labels[t.id] for t in song.tracks if t.mute])} muted"
               if any(t.mute for t in song.tracks) else "",
               f"{listed([labels[t.id] for t in song.tracks if t.solo])} soloed"
               if any(t.solo for t in song.tracks) else ""]
        notes.append(f"The mix was made with {' and '.join(h for h in how if h)}: "
                     f"{listed(left_out)} {'is' if len(left_out) == 1 else 'are'} not in "
                     "it. The stems hold every track, whatever is muted or soloed.")
    if report.level == "fixed":
        from engine.render.overs import overs_note

        notes.append(f"Every file is at a fixed gain of {number_text(report.gain_db, 1)} dB, "
                     "not normalised.")
        if said := overs_note(report.overs, report.bit_depth, report.gain_db, GAIN_HINT):
            notes.append(_sentence(said[1]))
    if report.dry_stems:
        notes.append("The stems are dry (pre-fader): without their tracks' volume and "
                     "pan; the mix has them.")
    if report.span is not None and (past := past_the_end(song, *report.span)):
        notes.append(f"{past[0].upper()}{past[1:]}.")
    if report.span is None and (held := held_past_note(song, report.end)):
        notes.append(f"{held[0].upper()}{held[1:]}.")  # cut or wrapped at the bar line
    # Written all the same: a DAW session expects a stem per track.
    notes += [f"{n}." for n in silent_stems(song, report.stem_track_peaks_dbfs, report.span)]
    return notes


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those above it that do not exist yet, innermost first."""
    missing = []
    for f in (folder, *folder.parents):
        if f.exists():
            break
        missing.append(f)
    return missing


def _remove_if_empty(folders: Sequence[Path]) -> None:
    """The folders an export made (innermost first), where it left them empty: a
    cancelled or failed export of "Song audio" left an empty folder behind (QA)."""
    for f in folders:
        try:
            f.rmdir()  # only an empty folder; one the user filled meanwhile stays
        except OSError:
            return


def _install(staging: Path, folder: Path, report: RenderReport,
             stale: Sequence[Path]) -> RenderReport:
    """Move the staged files into ``folder``, delete ``stale``; the report of the result."""
    mix = folder / MIX_NAME if report.mix_path is not None else None
    stems = tuple(folder / STEMS_DIR / p.name for p in report.stem_paths)
    learn = tuple(folder / REHEARSAL_DIR / p.name for p in report.rehearsal_paths)
    (folder / STEMS_DIR).mkdir(parents=True, exist_ok=True)
    if learn:
        (folder / REHEARSAL_DIR).mkdir(exist_ok=True)
    if mix is not None:
        os.replace(report.mix_path, mix)
    for src, dst in zip(report.stem_paths + report.rehearsal_paths, stems + learn,
                        strict=True):
        os.replace(src, dst)
    from engine.render import remove_stems

    try:  # the user said Yes, and the new stems are in place
        remove_stems(stale)
    except OSError as e:
        raise ExportError(f"The new files are in {folder}, but the old stem "
                          f"'{Path(e.filename).name}' could not be deleted: "
                          f"{e.strerror or e}.") from e
    return dataclasses.replace(report, mix_path=mix, stem_paths=stems, rehearsal_paths=learn)


def export_stems(
    parent: QWidget,
    song: Song,
    folder: Path,
    on_done: Callable[[RenderReport], None],
    on_error: Callable[[BaseException], None],
    worker: Worker,
    *,
    sample_rate: int = 44100,
    soundfont: Path | None = None,
    end: str = "tail",
    rehearsal: bool = False,
    count_in: int = 0,
    bit_depth: str = "24",
    dry_stems: bool = False,
    span: tuple[int, int] | None = None,
    gain_db: float | None = None,
    stem_template: str = DEFAULT_EXPORT_STEM_NAMES,
    song_name: str = "",
) -> QProgressDialog | None:
    """Render ``folder/mix.wav`` and ``folder/stems/*.wav`` (and, ``rehearsal``, a
    rehearsal mix per part in ``folder/rehearsal/``, after ``count_in`` bars of click) at
    ``sample_rate`` and ``bit_depth`` with ``soundfont`` (``None``: the default one),
    ending at ``end`` (``render_files``'s), the stems without their tracks' volume and
    pan when ``dry_stems``, only the ticks of ``span`` when given (a loop range's export:
    ``render_files``'s), every file at the fixed gain ``gain_db`` when given (else
    normalised: ``render_files``'s), the stems named by ``stem_template`` with
    ``song_name`` as its ``{song}`` (``render --stem-names``: ``render_files``'s);
    report through the callbacks.

    ``on_error`` gets an :class:`ExportError` naming the folder and the problem (also for
    a song with no notes, or a file where the folder should be). When the export would
    write over files already there (an earlier export's mix.wav, this song's stems) the
    user is asked first, as a DAW's bounce asks; Cancel exports nothing. When
    ``folder/stems`` holds another export's stems the user is asked too; No exports
    nothing, Yes deletes them after the new stems are written; stems named with the
    song's name (``{song}`` in ``stem_template``) are never taken for another export's:
    several songs' stems are meant to sit side by side so.
    Cancel stops the render and writes nothing; neither callback is called. Returns the
    progress dialog, or ``None`` when nothing was started.
    """
    from engine.render import render_files, stale_stems, stem_names

    folder = Path(folder)
    if song.note_count == 0:
        on_error(ExportError("The song has no notes: there is nothing to export. "
                             "Add some notes, then export again."))
        return None
    if blocker := blocking_file(folder):
        on_error(_problem(folder, NotADirectoryError(errno.ENOTDIR, "Not a directory",
                                                     str(blocker))))
        return None
    names = stem_names(song, stem_template, song_name).values()
    # Named apart by the song, another song's stems are kept beside these, as render's
    # --stem-names '{song}_…' keeps them (it deletes only the files its sidecar says this
    # song wrote; an export writes none).
    stale = ([] if "{song}" in stem_template
             else stale_stems(folder / STEMS_DIR, names))
    # Through the package, as every question the studio asks (tests answer it there).
    from studio import dialogs

    existing = existing_files(song, folder, rehearsal, stem_template, song_name)
    if existing and not dialogs.ask_replace_export(parent, folder, existing):
        return None
    if stale and not dialogs.ask_replace_stale(parent, folder / STEMS_DIR, stale):
        return None

    job = ProgressJob(parent, "Export audio", "Rendering audio and stems…")

    # What the render is doing goes with its next progress report (the bar's text said
    # "Rendering audio and stems…" throughout, 8 s of it at 90 % while files were written).
    doing = {"now": None, "said": None}
    made = _missing_folders(folder)  # removed again if the export ends writing nothing

    def run(progress: Callable[..., None]) -> tuple[Path, RenderReport]:
        def step(f: float) -> None:
            job.raise_if_cancelled()
            said = doing["now"] if doing["now"] != doing["said"] else None
            doing["said"] = doing["now"]
            progress(f, said)

        try:
            folder.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
        except OSError as e:
            _remove_if_empty(made)  # a read-only disk: the folder made, nothing in it
            raise _problem(folder, e) from e
        try:
            report = render_files(song, staging / MIX_NAME, staging / STEMS_DIR,
                                  sample_rate=sample_rate, soundfont=soundfont, end=end,
                                  rehearsal_dir=staging / REHEARSAL_DIR if rehearsal else None,
                                  count_in=count_in, bit_depth=bit_depth,
                                  dry_stems=dry_stems, span=span, gain_db=gain_db,
                                  stem_template=stem_template, song_name=song_name,
                                  progress=step, stage=lambda what: doing.update(now=what))
            job.raise_if_cancelled()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            _remove_if_empty(made)
            raise
        return staging, report

    def done(result: tuple[Path, RenderReport]) -> None:
        staging, report = result
        try:
            report = _install(staging, folder, report, stale)
        except (OSError, ExportError) as e:
            shutil.rmtree(staging, ignore_errors=True)
            _remove_if_empty(made)
            on_error(_problem(folder, e))
            return
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        on_done(report)

    def dropped(result: tuple[Path, RenderReport]) -> None:  # cancelled: nothing written
        shutil.rmtree(result[0], ignore_errors=True)
        _remove_if_empty(made)

    return job.start(worker, run, done, lambda error: on_error(_problem(folder, error)),
                     on_cancelled_result=dropped)


def export_musicxml(
    parent: QWidget,
    song: Song,
    path: Path,
    on_done: Callable[[list[str]], None],
    on_error: Callable[[BaseException], None],
    worker: Worker,
) -> QProgressDialog:
    """Write ``song`` to ``path`` as a MusicXML score off the GUI thread, with a progress
    dialog (a long song takes seconds: music21 quantizes and notates every track).
    ``on_done`` gets the export's warnings, ``on_error`` what went wrong. Cancel stops it
    at the next track or part and writes nothing (the file is written atomically, at the
    very end: an earlier export at ``path`` stays as it was); neither callback is called
    (a Cancel that comes once the file is written: ``on_done``). Returns the dialog."""
    from engine.io.musicxml import write_musicxml

    job = ProgressJob(parent, "Export MusicXML", "Notating the score…")

    def run(progress: Callable[..., None]) -> list[str]:
        def step(fraction: float, stage: str) -> None:
            job.raise_if_cancelled()
            progress(fraction, stage)

        return write_musicxml(song, path, progress=step)

    # Written already, a Cancel too late to stop it: the export is there, said so.
    return job.start(worker, run, on_done, on_error, on_cancelled_result=on_done)


__all__ = ["ExportError", "blocking_file", "existing_files", "export_musicxml",
           "export_stems", "mix_and_stems_notes", "silent_mix_note"]
