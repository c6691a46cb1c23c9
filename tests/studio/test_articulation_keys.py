"""Articulations and slurs in the studio: drawn over the notes in the piano roll as a
score prints them (checked on the layout, not on pixels), and put on the selected notes
with MuseScore's keys — Shift+S staccato, Shift+V accent, Shift+O strong accent, Shift+N
tenuto, Shift+L a slur (S is Split here) — or Notes ▸ Articulation, each one undo step
(a copyist's QA: notes kept the dots and slurs of an imported score, but the roll showed
none and there was no way to write one)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.score import Note, Song, Track
from studio.pianoroll.articulations import (
    MARK_MIN_ROW,
    SLUR_MIN_PX,
    mark_layout,
    mark_size,
    slur_arc,
)

K = Qt.Key
M = Qt.KeyboardModifier
Q = 480


def press(win, key, mods=M.NoModifier) -> None:
    QTest.keyClick(win.pianoroll.canvas, key, mods)


def piano(win):
    return win.document.song.tracks[0]


def marks(win) -> list[set[str]]:
    return [set(n.articulations) for n in piano(win).notes]


def select_first(win, n: int) -> None:
    track = piano(win)
    win.selection.set_notes((track.id, note.id) for note in track.notes[:n])


# -- the layout -----------------------------------------------------------------------------


def test_marks_stack_over_the_notes_head_the_length_mark_nearest():
    boxes = mark_layout(100.0, 50.0, 400.0, 14, {"accent", "staccato"})
    assert [b.mark for b in boxes] == ["staccato", "accent"]
    size = mark_size(14)
    assert boxes[0].y + boxes[0].h <= 50.0  # over the note's top edge
    assert boxes[1].y + boxes[1].h <= boxes[0].y  # the accent above the dot
    # Centred over the head (as the fermata is), not the middle of a long note.
    assert all(b.x + b.w / 2 == 100.0 + size for b in boxes)
    assert mark_layout(100.0, 50.0, 400.0, MARK_MIN_ROW - 1, {"staccato"}) == []


def test_a_slur_arcs_from_over_its_first_note_to_over_its_last():
    arc = slur_arc((100.0, 50.0, 40.0), (300.0, 36.0, 40.0), 14)
    assert 100.0 < arc.x1 < 140.0 and 300.0 < arc.x2 < 340.0
    assert arc.y1 < 50.0 and arc.y2 < 36.0 and arc.bow > 0
    x, y, w, h = arc.bounds()
    assert (x, x + w) == (arc.x1, arc.x2) and y == min(arc.y1, arc.y2) - arc.bow
    assert y + h == max(arc.y1, arc.y2)
    # No room: the rows too low, or the slur a few pixels wide (zoomed far out).
    assert slur_arc((100.0, 50.0, 40.0), (300.0, 36.0, 40.0), MARK_MIN_ROW - 1) is None
    assert slur_arc((100.0, 50.0, 1.0), (100.0 + SLUR_MIN_PX - 2, 50.0, 1.0), 14) is None


def test_the_roll_lays_out_a_tracks_marks_and_slurs(window):
    flute = Track("Flute", program=73, notes=(
        Note(72, 0, Q, articulations=frozenset({"staccato"}), slurs=(("start", 1),)),
        Note(74, Q, Q, articulations=frozenset({"accent", "tenuto"})),
        Note(76, 2 * Q, Q, fermata=True, articulations=frozenset({"strong-accent"})),
        Note(77, 3 * Q, Q, articulations=frozenset({"staccatissimo", "detached-legato"}),
             slurs=(("stop", 1),)),
        Note(79, 4 * Q, Q)))
    window.document.reset(Song(tracks=(flute,)))
    track = window.document.song.tracks[0]
    window.selection.set_tracks([track.id])
    vp = window.pianoroll.viewport
    vp.key_h = 14
    vp.fit_ticks(0, 8 * Q)
    vp.center_on_pitches(64, 84)
    canvas = window.pianoroll.canvas
    idx = window.pianoroll.index.get(track)
    assert len(idx.marked()[0]) == 4  # the unmarked G is no lookup
    cols = idx.columns()
    x = (cols["start"] - vp.left) * vp.px_per_tick
    w = (cols["end"] - cols["start"]) * vp.px_per_tick
    y = (127 - cols["pitch"]) * vp.key_h - vp.top + 1
    sung, held, signs, arcs = [], [], [], []
    canvas._mark(idx, x, y, w, cols["id"], np.ones(len(x), bool), True, sung, held, signs)
    assert sorted(m.mark for m, _ in signs) == sorted(
        ["staccato", "accent", "tenuto", "strong-accent", "staccatissimo",
         "detached-legato"])
    # The fermata goes over the strong accent, not on it.
    (fermata, _), = held
    accent = next(m for m, _ in signs if m.mark == "strong-accent")
    assert fermata[1] + fermata[3] <= accent.y + 1
    canvas._slurs(idx, None, 3.0, True, arcs)
    (arc, mine), = arcs
    assert mine and arc.x1 < x[1] and arc.x2 > x[3]
    canvas.repaint()  # painting every sign and the arc goes through
    vp.key_h = MARK_MIN_ROW - 1  # rows too low: no room for a mark or a slur
    arcs.clear()
    signs.clear()
    canvas._slurs(idx, None, 3.0, True, arcs)
    canvas._mark(idx, x, y, w, cols["id"], np.ones(len(x), bool), True, sung, held, signs)
    assert arcs == [] and signs == []


# -- the keys -------------------------------------------------------------------------------


def test_shift_s_toggles_staccato_on_the_selection_one_undo_step(focused):
    win = focused
    select_first(win, 4)
    press(win, K.Key_S, M.ShiftModifier)
    assert marks(win)[:5] == [{"staccato"}] * 4 + [set()]
    assert win.actions.undo.text() == "&Undo Staccato on 4 notes"
    assert win.statusBar().currentMessage() == "Staccato on 4 notes"
    press(win, K.Key_S, M.ShiftModifier)  # all have it: off
    assert marks(win)[:4] == [set()] * 4
    assert win.actions.undo.text() == "&Undo Staccato off 4 notes"
    press(win, K.Key_Z, M.ControlModifier)
    assert marks(win)[:4] == [{"staccato"}] * 4
    press(win, K.Key_Z, M.ControlModifier)
    assert marks(win)[:4] == [set()] * 4


def test_accent_marcato_and_tenuto_keys_and_the_menu_only_marks(focused):
    win = focused
    select_first(win, 2)
    press(win, K.Key_V, M.ShiftModifier)
    assert marks(win)[:2] == [{"accent"}] * 2
    press(win, K.Key_O, M.ShiftModifier)  # a strong accent takes the accent's place
    assert marks(win)[:2] == [{"strong-accent"}] * 2
    press(win, K.Key_N, M.ShiftModifier)
    assert marks(win)[:2] == [{"strong-accent", "tenuto"}] * 2
    win.actions.staccatissimo.trigger()  # Notes ▸ Articulation: one length mark a note
    assert marks(win)[:2] == [{"strong-accent", "staccatissimo"}] * 2
    win.actions.detached_legato.trigger()
    assert marks(win)[:2] == [{"strong-accent", "detached-legato"}] * 2
    assert win.actions.undo.text() == "&Undo Detached legato on 2 notes"
    win.selection.clear_notes()
    before = win.document.undo_stack.count()
    press(win, K.Key_S, M.ShiftModifier)  # nothing selected: said, no step
    assert win.document.undo_stack.count() == before
    assert "select the notes" in win.statusBar().currentMessage()


def test_shift_l_slurs_the_selection_and_remove_slurs_takes_it_off(focused):
    win = focused
    select_first(win, 6)
    press(win, K.Key_L, M.ShiftModifier)
    assert win.actions.undo.text() == "&Undo Slur over 6 notes"
    slurs = [n.slurs for n in piano(win).notes]
    assert slurs[0] == (("start", 1),) and slurs[5] == (("stop", 1),)
    assert not any(slurs[1:5])
    # Drawn: the roll pairs its marks.
    idx = win.pianoroll.index.get(piano(win))
    (span,) = idx.slurs()
    assert (span.first.id, span.last.id) == (piano(win).notes[0].id, piano(win).notes[5].id)
    win.pianoroll.canvas.repaint()
    # One note inside it selected: Remove Slurs takes the whole slur off.
    track = piano(win)
    win.selection.set_notes([(track.id, track.notes[2].id)])
    win.actions.remove_slurs.trigger()
    assert not any(n.slurs for n in piano(win).notes)
    assert win.actions.undo.text() == "&Undo Remove 1 slur"
    # A slur is over one track's notes.
    song = win.document.song
    win.selection.set_tracks([song.tracks[0].id, song.tracks[1].id])
    win.selection.set_notes([(song.tracks[0].id, song.tracks[0].notes[0].id),
                             (song.tracks[1].id, song.tracks[1].notes[0].id)])
    press(win, K.Key_L, M.ShiftModifier)
    assert "one track" in win.statusBar().currentMessage()
    assert not any(n.slurs for n in piano(win).notes)


def test_in_step_entry_shift_s_marks_the_note_just_entered(focused):
    win = focused
    win.selection.set_tracks([piano(win).id])
    win.transport.seek(8 * Q)  # bar 3: empty
    press(win, K.Key_N)
    assert win.step_entry.on
    press(win, K.Key_C)
    press(win, K.Key_S, M.ShiftModifier)  # not "no step-entry key"
    entered = [n for n in piano(win).notes if n.start >= 8 * Q]
    assert [set(n.articulations) for n in entered] == [{"staccato"}]


def test_in_step_entry_shift_l_slurs_the_notes_entered_since_the_last_rest_or_slur(focused):
    # QA: Shift+L in step entry always said "select notes at two onsets or more" (the note
    # just entered is the selection), where the docs said the keys work there.
    win = focused
    win.selection.set_tracks([piano(win).id])
    win.transport.seek(8 * Q)  # bar 3: empty
    press(win, K.Key_N)

    def entered() -> list[tuple[str, tuple]]:
        notes = sorted((n for n in piano(win).notes if n.start >= 8 * Q),
                       key=lambda n: n.start)
        return [(win.step_entry.name_of(n, None), n.slurs) for n in notes]

    for key in (K.Key_C, K.Key_D, K.Key_E, K.Key_F):
        press(win, key)
    press(win, K.Key_L, M.ShiftModifier)
    assert win.statusBar().currentMessage() == "Slur over 4 notes"
    assert [s for _, s in entered()] == [(("start", 1),), (), (), (("stop", 1),)]
    for key in (K.Key_G, K.Key_A):
        press(win, key)
    press(win, K.Key_L, M.ShiftModifier)  # G–A: from after the last slur's end
    assert [s for _, s in entered()][4:] == [(("start", 1),), (("stop", 1),)]
    press(win, K.Key_B)
    press(win, K.Key_L, M.ShiftModifier)  # one note since: from the note A ended it on
    assert [s for _, s in entered()][5:] == [(("stop", 1), ("start", 2)), (("stop", 2),)]
    press(win, K.Key_L, M.ShiftModifier)  # again: that slur off
    assert win.statusBar().currentMessage() == "Remove slur over 2 notes"
    assert [s for _, s in entered()][5:] == [(("stop", 1),), ()]
    press(win, K.Key_R)  # a rest, then one note: nothing to slur
    press(win, K.Key_C)
    before = win.document.undo_stack.count()
    press(win, K.Key_L, M.ShiftModifier)
    assert win.document.undo_stack.count() == before
    assert "after the last rest" in win.statusBar().currentMessage()
    press(win, K.Key_Escape)


def test_a_notes_marks_are_in_its_description_and_toggles_are_said(focused, monkeypatch):
    # Screen-reader QA: the marks were drawn but said nowhere; Shift+N over a staccato
    # said nothing of the staccato it replaced, and only in the status bar.
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

    said: list[str] = []
    real = QAccessible.updateAccessibility

    def heard(event) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            said.append(event.message())
        real(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", heard)
    win = focused
    a = win.actions
    select_first(win, 3)
    assert not a.staccato.isChecked()
    press(win, K.Key_S, M.ShiftModifier)
    press(win, K.Key_L, M.ShiftModifier)
    assert said == ["Staccato on 3 notes", "Slur over 3 notes"]
    assert a.staccato.isChecked() and not a.tenuto.isChecked()  # all three have it
    select_first(win, 1)
    canvas = win.pianoroll.canvas
    assert canvas.accessibleDescription() == (
        "C4 · 1.1.000 · 1/4 · velocity 90 · staccato, slur start")
    press(win, K.Key_V, M.ShiftModifier)
    assert canvas.accessibleDescription().endswith("· accent, staccato, slur start")
    press(win, K.Key_N, M.ShiftModifier)
    assert said[-1] == "Tenuto on 1 note (was staccato)"
    assert win.statusBar().currentMessage() == said[-1]
    assert a.tenuto.isChecked() and a.accent.isChecked() and not a.staccato.isChecked()
    select_first(win, 3)  # the first tenuto, the others staccato: neither ticked
    assert not a.tenuto.isChecked() and not a.staccato.isChecked()
    a.tenuto.trigger()  # from the menu: ticked as it goes on all three
    assert said[-1] == "Tenuto on 2 notes (was staccato)" and a.tenuto.isChecked()
    win.selection.clear_notes()
    assert not a.tenuto.isChecked()
    a.tenuto.trigger()  # nothing selected: said, and the menu's own tick taken back
    assert not a.tenuto.isChecked() and "select the notes" in said[-1]
