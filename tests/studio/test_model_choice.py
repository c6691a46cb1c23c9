"""Which model and options a studio request runs with: Harmonize's chorale voices, a
picked model that cannot do the task, the default model set in the Model Manager, and
which take is auditioned while variations arrive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.score import Mask, Note, Region, Song, Track, set_track_props
from studio.cocompose import REDRAWS
from tests.studio.cocompose_helpers import (
    EchoModel,
    GatedModel,
    close_window,
    make_registry,
    make_window,
    set_panel,
)
from tests.studio.test_cocompose import wait_takes


class Recording(EchoModel):
    """An echo model that remembers the options of every call."""

    def __init__(self, name: str, tasks: tuple[str, ...] | None = None) -> None:
        info = replace(EchoModel.info, name=name)
        self.info = replace(info, tasks=tasks) if tasks is not None else info
        self.calls: list = []

    def generate(self, song, mask, options, progress, cancel):
        self.calls.append(options)
        return super().generate(song, mask, options, progress, cancel)


def violin_song() -> Song:
    violin = Track(name="Violin", program=40, channel=0, colour="#61afef", notes=tuple(
        Note(p, i * 480, 480, 90) for i, p in enumerate((67, 69, 71, 72, 74, 72, 71, 67))))
    return Song(tracks=(violin,), ppq=480, title="Melody")


@pytest.fixture
def models():
    return {m.info.name: m for m in (
        Recording("partita-base"), Recording("chorale-jsb"),
        Recording("drumkit", ("repaint", "regenerate")), GatedModel("gated"))}


@pytest.fixture
def studio(qtbot, tmp_path, dialogs, no_audio, models):
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, *models.values()),
                      model="partita-base")
    win.set_song(violin_song())
    win.selection.set_tracks([win.document.song.tracks[0].id])
    yield win
    models["gated"].gate.set()
    close_window(win)


def test_harmonize_a_lone_violin_adds_string_voices_without_parallels(studio, qtbot, dialogs,
                                                                      models):
    win = studio
    dialogs.answers["ask_instruments"] = lambda *a: (a[3], None)  # accept what is offered
    assert win.composer.request("harmonize")
    assert dialogs.calls[-1][1][2] == "Violin II, Viola, Cello"  # a quartet's, not a choir's
    # The panel's model is kept; the chorale model is suggested, never switched to.
    assert "with partita-base" in win.statusBar().currentMessage()
    assert "Tip: chorale-jsb writes four-part chorales better" in \
        win.statusBar().currentMessage()
    assert win.generate_panel.values().model == "partita-base"
    wait_takes(qtbot, win, 1)
    assert models["partita-base"].calls[-1].avoid_parallels is True
    assert win.composer.accept()
    tracks = win.document.song.tracks
    # A second violin, a viola and a cello: a violin cannot play the bass line.
    assert [(t.name, t.program) for t in tracks] == [
        ("Violin", 40), ("Violin II", 40), ("Viola", 41), ("Cello", 42)]


def test_a_lone_melody_named_soprano_on_the_piano_is_offered_the_chorale_voices(
        studio, qtbot, dialogs, models):
    """A choir director's hymn tune, "Soprano" on the default piano: the question offered
    Piano, Bass. Its name makes it the top voice of an SATB, written as a chorale."""
    win = studio
    tune = replace(violin_song().tracks[0], name="Soprano", program=0)
    win.set_song(Song(tracks=(tune,), ppq=480, title="Hymn"))
    win.selection.set_tracks([win.document.song.tracks[0].id])
    dialogs.answers["ask_instruments"] = lambda *a: (a[3], None)  # accept what is offered
    assert win.composer.request("harmonize")
    assert dialogs.calls[-1][1][2] == "Alto, Tenor, Bass"
    wait_takes(qtbot, win, 1)
    assert models["partita-base"].calls[-1].avoid_parallels is True
    assert win.composer.accept()
    assert [(t.name, t.program) for t in win.document.song.tracks] == [
        ("Soprano", 0), ("Alto", 0), ("Tenor", 0), ("Bass", 0)]


def _harmonize_with_chorale_jsb(win, qtbot, dialogs, answer: str) -> None:
    """Harmonize with chorale-jsb chosen, adding ``answer``: no tip, one take."""
    win.generate_panel.set_model("chorale-jsb")
    dialogs.answers["ask_instruments"] = (answer, None)
    assert win.composer.request("harmonize")
    assert "Tip:" not in win.statusBar().currentMessage()
    wait_takes(qtbot, win, 1)


def test_harmonize_with_other_instruments_keeps_the_panels_options(studio, qtbot, dialogs,
                                                                   models):
    win = studio
    _harmonize_with_chorale_jsb(win, qtbot, dialogs, "Piano, Bass")
    assert models["chorale-jsb"].calls[-1].avoid_parallels is False
    assert win.composer.accept()
    assert [(t.name, t.program) for t in win.document.song.tracks][1:] == [
        ("Piano", 0), ("Bass", 33)]


def test_no_tip_when_the_chorale_model_is_chosen(studio, qtbot, dialogs, models):
    win = studio
    _harmonize_with_chorale_jsb(win, qtbot, dialogs, "alto,  tenor , BASS")
    assert models["chorale-jsb"].calls[-1].avoid_parallels is True


def test_an_unchecked_parallels_box_writes_a_chorale_with_parallels(studio, qtbot, dialogs,
                                                                    models):
    """The box showed unchecked while a chorale's takes were written without parallels
    (QA): Auto is its own state now, and unchecked means off, chorales too."""
    from PySide6.QtCore import Qt

    win = studio
    win.generate_panel.avoid_parallels.setCheckState(Qt.CheckState.Unchecked)
    _harmonize_with_chorale_jsb(win, qtbot, dialogs, "Alto, Tenor, Bass")
    assert models["chorale-jsb"].calls[-1].avoid_parallels is False


def test_a_chosen_model_that_cannot_do_the_task_is_refused(studio, dialogs, models):
    win = studio
    assert win.generate_panel.set_model("drumkit")
    dialogs.answers["ask_instruments"] = ("Piano, Bass", None)
    assert win.composer.request("harmonize") == []
    message = win.statusBar().currentMessage()
    assert message.startswith("drumkit cannot harmonize (it does: repaint, regenerate)")
    assert "choose another model in the Generate panel" in message
    assert not [c for c in dialogs.calls if c[0] == "ask_instruments"]  # refused first
    assert not models["partita-base"].calls and not models["drumkit"].calls
    assert win.generate_panel.values().model == "drumkit"


def test_the_panel_follows_the_default_set_in_the_model_manager(studio, qtbot, models):
    from studio.dialogs.model_manager import ModelManager

    win = studio
    assert win.generate_panel.values().model == "partita-base"
    dlg = ModelManager(win.catalog, win)
    dlg.table.setCurrentItem(dlg.table.topLevelItem(dlg.names().index("chorale-jsb")))
    dlg.set_default()
    dlg.close()
    assert win.generate_panel.values().model == "chorale-jsb"
    win.composer.request("regenerate")
    qtbot.waitUntil(lambda: bool(models["chorale-jsb"].calls), timeout=10000)
    assert not models["partita-base"].calls
    # Re-listing the models (a refresh) keeps the user's pick.
    win.generate_panel.set_model("drumkit")
    win.catalog.update()
    assert win.generate_panel.values().model == "drumkit"


class OneByOne(EchoModel):
    """Writes a take each time the test releases it (so takes arrive when it says)."""

    info = replace(EchoModel.info, name="one-by-one")

    def __init__(self) -> None:
        self.release = threading.Semaphore(0)

    def generate(self, song, mask, options, progress, cancel):
        while not self.release.acquire(timeout=0.01):
            cancel.raise_if_cancelled()
        return super().generate(song, mask, options, progress, cancel)


def test_a_newly_arriving_take_does_not_take_over_the_preview(qtbot, tmp_path, dialogs,
                                                             no_audio):
    model = OneByOne()
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, model), model="one-by-one",
                      variations=3, seed=3)
    try:
        win.set_song(violin_song())
        violin = win.document.song.tracks[0]
        win.selection.set_tracks([violin.id])
        assert len(win.composer.request("regenerate")) == 3
        model.release.release()
        qtbot.waitUntil(lambda: win.composer.active_set() is not None, timeout=10000)
        takes = win.composer.active_set()
        assert win.composer.preview_take() is takes.takes[0]  # A, as soon as it arrives
        canvas = win.pianoroll.canvas
        canvas.setFocus()
        model.release.release()
        qtbot.waitUntil(lambda: len(takes) == 2, timeout=10000)
        assert win.composer.preview_take() is takes.takes[0]  # B does not take over
        QTest.keyClick(canvas, Qt.Key.Key_2)  # audition B
        model.release.release()
        qtbot.waitUntil(lambda: len(takes) == 3 and not win.jobs_panel.running(),
                        timeout=10000)
        chosen = win.composer.preview_take()
        assert chosen is takes.takes[1]  # C arrived: B is still the one heard
        QTest.keyClick(canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert win.document.undo_stack.undoText() == "Accept take B (Regenerate Violin)"
    finally:
        for _ in range(REDRAWS * 3):
            model.release.release()
        close_window(win)


def test_auto_writes_four_part_chorales_with_the_chorale_model(studio, qtbot, dialogs, models):
    win = studio
    win.catalog.set_default("partita-base")  # as in the app (this registry has no built-ins)
    assert win.generate_panel.set_model("")  # Auto, the panel's first entry
    assert win.generate_panel.model.currentText() == "Auto (partita-base)"
    assert win.generate_panel.values().model is None
    dialogs.answers["ask_instruments"] = lambda *a: (a[3], None)  # Violin II, Viola, Cello
    assert win.composer.request("harmonize")
    message = win.statusBar().currentMessage()
    assert "with chorale-jsb (Auto: a four-part chorale)" in message and "Tip" not in message
    wait_takes(qtbot, win, 1)
    assert models["chorale-jsb"].calls[-1].avoid_parallels is True
    assert win.composer.accept()
    # Repainting one voice of a chorale (the quartet named as one): the chorale model
    # again, without parallels.
    for track, voice in zip(win.document.song.tracks, ("Soprano", "Alto", "Tenor", "Bass"),
                            strict=True):
        win.document.apply(set_track_props(win.document.song, track.id, name=voice))
    alto = win.document.song.tracks[1]
    win.document.set_mask(Mask.of(Region(frozenset({alto.id}), 0, 1920)))
    assert win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    assert len(models["chorale-jsb"].calls) == 2 and not models["partita-base"].calls
    assert models["chorale-jsb"].calls[-1].avoid_parallels is True
    # Anything else under Auto is the default model's.
    win.composer.discard()
    win.document.apply(set_track_props(win.document.song, alto.id, name="Organ"))
    win.document.set_mask(Mask.of(Region(frozenset({alto.id}), 0, 1920)))
    assert win.composer.request("repaint")
    wait_takes(qtbot, win, 1)
    assert len(models["partita-base"].calls) == 1
    assert models["partita-base"].calls[-1].avoid_parallels is False


def test_a_chosen_model_is_kept_for_a_chorale_and_the_tip_names_auto(studio, qtbot, dialogs,
                                                                      models):
    win = studio  # the panel names partita-base
    dialogs.answers["ask_instruments"] = lambda *a: (a[3], None)
    assert win.composer.request("harmonize")
    assert "choose it (or Auto) in the Generate panel" in win.statusBar().currentMessage()
    wait_takes(qtbot, win, 1)
    assert models["partita-base"].calls and not models["chorale-jsb"].calls


class Keeper(EchoModel):
    """Writes back the very notes the mask covers for seed 7, a semitone up otherwise."""

    info = replace(EchoModel.info, name="keeper")

    def __init__(self) -> None:
        self.seeds: list[int] = []

    def generate(self, song, mask, options, progress, cancel):
        self.seeds.append(options.seed)
        up = 0 if options.seed == 7 else 1
        return {tid: tuple(Note(n.pitch + up, n.start, n.duration, n.velocity) for n in notes)
                for tid, notes in mask.notes_inside(song).items()}


def test_a_take_that_would_change_nothing_is_drawn_again(qtbot, tmp_path, dialogs, no_audio):
    keeper = Keeper()
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, keeper), model="keeper")
    try:
        win.set_song(violin_song())
        violin = win.document.song.tracks[0]
        win.document.set_mask(Mask.of(Region(frozenset({violin.id}), 0, 1920)))
        win.composer.request("repaint")  # the panel's seed is 7: the notes as they are
        take = wait_takes(qtbot, win, 1).takes[0]
        assert keeper.seeds[0] == 7 and len(keeper.seeds) == 2  # drawn again
        assert not take.mask.holds_already(take.base_song, take.notes)
    finally:
        close_window(win)


def test_a_models_own_options_are_offered_and_reach_it(qtbot, tmp_path, dialogs, no_audio):
    """The drumkit declares a style and a phrase length (ModelInfo.options): the panel
    shows them for that model only, and a request passes what is set in extra."""
    from engine.plugins import ModelOption

    kit = Recording("kit")
    kit.info = replace(kit.info, options=(
        ModelOption("style", "auto", "Style", choices=("auto", "rock", "funk")),
        ModelOption("phrase_bars", 4, "Phrase", minimum=1, maximum=16)))
    base = Recording("partita-base")
    base.info = replace(base.info, precisions=("int8", "fp32"), default_precision="int8")
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, base, kit), model="partita-base")
    try:
        panel = win.generate_panel
        win.set_song(violin_song())
        win.selection.set_tracks([win.document.song.tracks[0].id])
        assert panel.model_options.isHidden()  # partita-base declares none
        assert panel.set_model("kit")
        assert not panel.model_options.isHidden()
        assert not panel.precision.model().item(3).isEnabled()  # int4: the kit has fp32 only
        style = panel.model_options._fields["style"][1]
        style.setCurrentText("funk")
        assert panel.values().options.extra == {"style": "funk", "phrase_bars": 4}
        win.document.set_mask(Mask.of(Region({win.document.song.tracks[0].id}, 0, 960)))
        assert win.composer.request("repaint")
        qtbot.waitUntil(lambda: len(kit.calls) == panel.values().variations, timeout=20000)
        assert all(o.extra == {"style": "funk", "phrase_bars": 4} for o in kit.calls)
        qtbot.waitUntil(lambda: bool(win.takes_bar.buttons), timeout=20000)
        tip = win.takes_bar.buttons[0].toolTip()  # the setting changed, not the defaults
        assert "kit · style=funk, seed" in tip and "phrase_bars" not in tip
        assert panel.set_model("partita-base") and panel.model_options.isHidden()
        panel.precision.setCurrentIndex(2)  # int8, as a user picks it
        panel.precision.activated.emit(2)
        assert panel.set_model("kit") and panel.precision.currentText() == "auto"
        assert panel.set_model("partita-base") and panel.precision.currentText() == "int8"
        assert panel.set_model("kit")  # and back: the style chosen is kept
        assert panel.values().options.extra["style"] == "funk"
    finally:
        close_window(win)


def test_the_sampling_settings_a_model_ignores_are_greyed_saying_why(qtbot, tmp_path,
                                                                    dialogs, no_audio):
    """QA: the panel offered Steps and Precision for the drumkit, a rule-based model
    that ignores them. A model says which it honours (ModelInfo.sampling)."""
    kit = Recording("drumkit")
    kit.info = replace(kit.info, sampling=("temperature",))
    base = Recording("partita-base")  # states nothing: honours them all
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, base, kit), model="partita-base")
    try:
        panel = win.generate_panel
        steps_tip = panel.steps.toolTip()
        assert panel.set_model("drumkit")
        assert not panel.steps.isEnabled() and not panel.precision.isEnabled()
        assert panel.temperature.isEnabled()  # the kit's optional hits and feel
        assert panel.steps.toolTip() == "drumkit does not use Steps"
        assert panel.precision.toolTip() == "drumkit does not use Precision"
        assert not panel._form.labelForField(panel.steps).isEnabled()  # its label too
        assert panel.set_model("partita-base")
        assert panel.steps.isEnabled() and panel.precision.isEnabled()
        assert panel.steps.toolTip() == steps_tip
        assert panel._form.labelForField(panel.steps).isEnabled()
    finally:
        close_window(win)


def test_under_auto_a_model_gets_only_the_settings_it_declares(qtbot, tmp_path, dialogs,
                                                               no_audio):
    """Auto shows the default model's settings; a request that another model runs (the
    default cannot harmonize) sent it the default's style."""
    from engine.plugins import ModelOption

    base = Recording("partita-base")
    kit = Recording("kit", ("repaint", "regenerate"))
    kit.info = replace(kit.info, options=(ModelOption("style", "auto", choices=("auto",
                                                                                 "funk")),))
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, base, kit))
    try:
        win.catalog.set_default("kit")
        panel = win.generate_panel
        assert panel.set_model("")  # Auto
        assert panel.values().options.extra == {"style": "auto"}
        win.set_song(violin_song())
        win.selection.set_tracks([win.document.song.tracks[0].id])
        dialogs.answers["ask_instruments"] = ("Piano, Bass", None)
        assert win.composer.request("harmonize")
        qtbot.waitUntil(lambda: len(base.calls) >= 1, timeout=20000)
        assert all(o.extra == {} for o in base.calls)
    finally:
        close_window(win)


def test_the_model_and_its_options_come_back_next_session(qtbot, tmp_path, dialogs, no_audio):
    """They were never kept (the reopened window said Auto); and they are kept at each
    request, so a crash after it keeps them too."""
    from engine.plugins import ModelOption

    def models():
        kit = Recording("kit")
        kit.info = replace(kit.info, options=(
            ModelOption("style", "auto", "Style", choices=("auto", "rock", "funk")),
            ModelOption("phrase_bars", 4, "Phrase", minimum=1, maximum=16)))
        return make_registry(tmp_path, Recording("partita-base"), kit), kit

    registry, kit = models()
    win = make_window(qtbot, tmp_path, registry, model="kit")
    try:
        panel = win.generate_panel
        panel.model_options._fields["style"][1].setCurrentText("funk")
        panel.model_options._fields["phrase_bars"][1].setValue(8)
        panel.keep_rhythm.setChecked(True)
        win.set_song(violin_song())
        win.document.set_mask(Mask.of(Region({win.document.song.tracks[0].id}, 0, 960)))
        assert win.composer.request("repaint")
        qtbot.waitUntil(lambda: len(kit.calls) >= 1, timeout=20000)
        kept = win.settings.generation()  # written at the request, before any close
    finally:
        close_window(win)
    assert kept["model"] == "kit"
    registry, _kit = models()
    again = make_window(qtbot, tmp_path, registry)
    try:
        panel = again.generate_panel
        assert panel.model.currentData() == "kit"
        assert panel.values().options.extra == {"style": "funk", "phrase_bars": 8}
        assert panel.keep_rhythm.isChecked()
    finally:
        close_window(again)


def test_the_builtin_models_ending_is_offered_before_the_models_load(tmp_path):
    """A musician opening the Generate panel at once sees the built-in models' Ending:
    declared without loading them, so the studio still starts without torch. The model
    chosen last session is named and shown with the settings kept for it."""
    script = textwrap.dedent(f"""
        import json, sys
        from engine.io import RecoveryStore
        from engine.plugins import Registry
        from studio.app import create_app
        from studio.mainwindow import MainWindow
        from studio.settings import Settings

        app = create_app()

        def window(name):
            return MainWindow(Settings({str(tmp_path)!r} + "/" + name + ".ini"),
                              RecoveryStore({str(tmp_path)!r} + "/recovery-" + name),
                              registry=Registry(plugin_dirs=[], user_dir={str(tmp_path)!r}))

        def seen(w):
            w.show()
            app.processEvents()
            box, panel = w.generate_panel.model_options, w.generate_panel
            ending = box._fields["ending"][1]
            said = dict(loaded=w.catalog.loaded, visible=box.isVisible(), title=box.title(),
                        model=panel.model.currentText(),
                        choices=[ending.itemText(i) for i in range(ending.count())],
                        extra=dict(panel.values().options.extra))
            w.composer.shutdown()
            return said

        first = seen(window("first"))
        kept = Settings({str(tmp_path)!r} + "/second.ini")
        kept.set_generation(dict(model="chorale-jsb",
                                 model_options=json.dumps({{"chorale-jsb": {{"ending": "open"}}}})))
        kept.sync()
        second = seen(window("second"))
        print(json.dumps([first, second, "torch" in sys.modules]))
    """)
    env = {k: v for k, v in os.environ.items() if k != "PARTITA_MODEL"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env={**env, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    first, second, torch_imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert first == dict(loaded=False, visible=True, title="partita-base options",
                         model="Default model (loads on first use)",
                         choices=["auto", "close", "open"], extra={"ending": "auto"})
    assert second["title"] == "chorale-jsb options"
    assert second["model"] == "chorale-jsb (loads on first use)"
    assert second["extra"] == {"ending": "open"}
    assert torch_imported is False


def test_an_ending_set_before_the_models_load_is_the_one_used(qtbot, tmp_path, dialogs,
                                                              no_audio):
    """Set while the models load, it is kept when they are found (not reset to auto)."""
    from engine.io import RecoveryStore
    from engine.plugins.builtin import GRID_OPTIONS
    from studio.mainwindow import MainWindow
    from studio.settings import Settings

    base = Recording("partita-base")
    base.info = replace(base.info, options=GRID_OPTIONS)
    registry = make_registry(tmp_path, base)  # declares it before the catalog has loaded
    win = MainWindow(Settings(tmp_path / "settings.ini"), RecoveryStore(tmp_path / "recovery"),
                     registry=registry)
    qtbot.addWidget(win)
    try:
        panel = win.generate_panel
        assert not win.catalog.loaded and not panel.model_options.isHidden()
        panel.model_options._fields["ending"][1].setCurrentText("close")
        win.catalog.ensure()
        qtbot.waitUntil(lambda: win.catalog.loaded, timeout=20000)
        assert panel.model.currentText() == "Auto (partita-base)"
        assert panel.values().options.extra == {"ending": "close"}
    finally:
        close_window(win)


def test_the_auto_entry_names_the_model_auto_runs_for_the_song_on_screen(studio, models):
    # A chorale's Auto said "Auto (partita-base)" while chorale-jsb ran (QA).
    win = studio
    win.catalog.set_default("partita-base")
    panel = win.generate_panel
    assert panel.set_model("")  # Auto
    assert panel.model.currentText() == "Auto (partita-base)"  # a lone violin
    from engine.tasks import new_track_edits
    from engine.tasks.instruments import TrackSpec

    song = win.document.song
    win.document.apply(set_track_props(song, song.tracks[0].id, name="Soprano"))
    for edit in new_track_edits(win.document.song, [TrackSpec(v, 52) for v in
                                                    ("Alto", "Tenor", "Bass")]):
        win.document.apply(edit)  # one step each, as the track list adds them
    assert panel.model.currentText() == "Auto (chorale-jsb)"
    assert "this song is one: chorale-jsb" in panel.model.itemData(0, Qt.ItemDataRole.ToolTipRole)
    win.document.undo_stack.undo()  # the Bass gone: Soprano, Alto and Tenor are a chorale too
    assert panel.model.currentText() == "Auto (chorale-jsb)"
    win.document.apply(set_track_props(win.document.song, win.document.song.tracks[1].id,
                                       name="Organ"))
    assert panel.model.currentText() == "Auto (partita-base)"
    assert panel.values().model is None  # still Auto, whatever it names


def test_regenerating_several_masked_tracks_is_worded_alike_everywhere(studio, qtbot):
    # The button said "Regenerate 4 Masked Tracks", the status bar "Regenerate track: 3
    # takes" and the jobs "Regenerate tracks" (QA).
    win = studio
    violin = win.document.song.tracks[0]
    cello = Track(name="Cello", program=42, channel=1, notes=(Note(48, 0, 1920, 80),))
    win.set_song(win.document.song.with_tracks([violin, cello]))
    song = win.document.song
    win.document.set_mask(Mask.of(Region(frozenset(t.id for t in song.tracks), 0, 1920)))
    assert win.generate_panel.buttons["regenerate"].text() == "Regenerate 2 Masked Tracks"
    jobs = win.composer.request("regenerate")
    assert win.statusBar().currentMessage().startswith("Regenerate 2 tracks: computing 1 take with")
    assert [job.request.label for job in jobs] == ["Regenerate 2 tracks"]  # the Jobs panel
    wait_takes(qtbot, win, 1)


def test_auto_gives_a_request_the_default_cannot_write_to_the_built_in_default(
        qtbot, tmp_path, dialogs, no_audio):
    """QA: with a melody-only model as the default, a request with a drum track failed
    ("markov-melody cannot write drum tracks"); Auto now runs the built-in default for it
    and says so. A model chosen in the panel is still refused."""
    melody = Recording("markov-melody")
    melody.info = replace(melody.info, instruments=("melody",))
    base = Recording("partita-base")
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, base, melody))
    try:
        drums = Track(name="Drums", channel=9, is_drum=True, notes=(Note(36, 0, 240, 90),))
        win.set_song(Song(tracks=(violin_song().tracks[0], drums), ppq=480))
        violin_id, drums_id = (t.id for t in win.document.song.tracks)
        win.catalog.registry.preferred = "markov-melody"  # the default, kept
        assert win.generate_panel.set_model("")  # Auto
        set_panel(win)

        win.selection.set_tracks([violin_id])  # a melody: the default writes it
        assert win.composer.request("regenerate")
        qtbot.waitUntil(lambda: bool(melody.calls), timeout=10000)
        assert "with markov-melody" in win.statusBar().currentMessage()

        win.selection.set_tracks([drums_id])
        assert win.composer.request("regenerate")
        message = win.statusBar().currentMessage()
        assert "with partita-base" in message
        assert message.endswith("Auto: the default model, markov-melody, cannot write "
                                "'Drums': partita-base writes this request")
        qtbot.waitUntil(lambda: bool(base.calls), timeout=10000)

        assert win.generate_panel.set_model("markov-melody")  # named: refused, not swapped
        calls = len(base.calls)
        assert win.composer.request("regenerate") == []
        assert "markov-melody cannot write drum tracks" in win.statusBar().currentMessage()
        assert len(base.calls) == calls
    finally:
        close_window(win)


def test_follow_chord_symbols_shows_with_chords_and_reaches_the_model(studio, qtbot,
                                                                      dialogs, models):
    from engine.score import ChordSymbol

    win = studio
    box = win.generate_panel.follow_chords
    assert box.isHidden()  # a song without chord symbols: nothing to follow
    win.set_song(replace(violin_song(), chords=(ChordSymbol(0, "G"), ChordSymbol(1920, "D7"))))
    win.selection.set_tracks([win.document.song.tracks[0].id])
    assert not box.isHidden() and box.isChecked()
    box.setChecked(False)
    dialogs.answers["ask_instruments"] = lambda *a: (a[3], None)
    assert win.composer.request("harmonize")
    wait_takes(qtbot, win, 1)
    assert models["partita-base"].calls[-1].follow_chords is False
    assert win.generate_panel.state()["follow_chords"] is False
