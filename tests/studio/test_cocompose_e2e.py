"""End to end: open the demo, paint a mask with the mouse, Repaint with a real (tiny)
model on the job queue, accept the take, undo back to the original song."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.models.plugin import tiny_random_model
from engine.score import TimeMap
from tests.studio.cocompose_helpers import (
    arrangement_point,
    close_window,
    drag_arrangement,
    make_registry,
    make_window,
    notes_by_track,
)

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo" / "demo.mid"


def test_e2e_paint_mask_repaint_accept_undo(qtbot, tmp_path, dialogs, no_audio):
    win = make_window(qtbot, tmp_path, make_registry(tmp_path, tiny_random_model(0)),
                      model="tiny-random", steps=2, variations=1, seed=11)
    try:
        assert win.open_path(DEMO)
        original = win.document.song
        before = notes_by_track(original)
        tm = TimeMap.of(original)
        row = next(i for i, t in enumerate(original.tracks) if t.name == "Piano")
        piano = original.tracks[row]

        # The mask tool (M), then drag over bars 5–8 of the piano row in the arrangement.
        win.activateWindow()
        win.pianoroll.canvas.setFocus()
        QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_M)
        assert win.arrangement.mask_mode
        start, end = tm.bar_to_tick(4), tm.bar_to_tick(8)
        bar = tm.bar_to_tick(1)
        drag_arrangement(win, arrangement_point(win, row, start + bar // 4),
                         arrangement_point(win, row, end - bar // 4))
        mask = win.document.mask
        assert mask.track_ids == {piano.id} and mask.span == (start, end)
        assert win.document.undo_stack.undoText() == "Paint mask"
        assert win.document.song is original  # a mask is not an edit of the song

        # Repaint (Ctrl+R) runs on the job queue; the take shows up as a preview.
        QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: win.composer.preview_take() is not None, timeout=30000)
        take = win.composer.preview_take()
        assert win.document.song is original  # still only a proposal
        assert win.takes_bar.accept_button.isVisible()
        assert win.jobs_panel.rows and not win.jobs_panel.running()

        # Accept (Enter): one undo step named after the take.
        QTest.keyClick(win.pianoroll.canvas, Qt.Key.Key_Return)
        song = win.document.song
        assert win.document.undo_stack.undoText() == "Accept take A (Repaint)"
        after = notes_by_track(song)
        inside = {tid: {(nid, k) for nid, k in notes if mask.contains(tid, k[0], k[1])}
                  for tid, notes in before.items()}
        new_inside = {(n.id, n.key()) for n in song.track(piano.id).notes
                      if mask.contains_note(piano.id, n)}
        assert new_inside and new_inside != inside[piano.id]  # the notes inside changed
        assert new_inside == {(n.id, n.key()) for n in take.notes[piano.id]}
        for tid, notes in before.items():  # nothing outside the mask did
            outside = {x for x in notes if x not in inside[tid]}
            now_outside = {x for x in after[tid]
                           if not mask.contains(tid, x[1][0], x[1][1])}
            assert now_outside == outside

        # Undo: the song is back to the original, ids included.
        win.document.undo_stack.undo()
        assert win.document.song == original
        assert notes_by_track(win.document.song) == before
        assert win.composer.preview_take() is take  # the take is on offer again
    finally:
        close_window(win)
