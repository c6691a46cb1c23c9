"""The piano roll writes a sung line's syllables under its notes and its fermatas over
them (a choir director's re-test: notes kept their lyrics and fermatas, but the roll
showed neither). Checked on the layout, not on pixels: a syllable is written where the
zoom leaves room for it, and left out where the note is narrower than the text, the rows
are too low, or the syllable before it is in the way."""

from __future__ import annotations

import numpy as np

from engine.score import Lyric, Note, Song, Track
from studio.pianoroll.lyrics import (
    LYRIC_MIN_ROW,
    fermata_box,
    lyric_layout,
    printed,
)

Q = 480


def width_of(text: str) -> float:
    return 6.0 * len(text)  # a monospaced stand-in for the font's metrics


def test_a_syllable_is_written_under_its_note_with_a_hyphen_where_its_word_goes_on():
    assert [printed(Lyric("Hal", "begin")), printed(Lyric("le", "middle")),
            printed(Lyric("jah", "end")), printed(Lyric("Sing"))] == [
        "Hal-", "le-", "jah", "Sing"]
    placed = lyric_layout([(100.0, 50.0, 40.0, "Hal-"), (140.0, 36.0, 40.0, "le-")],
                          row_h=14, text_h=10, width_of=width_of)
    assert [(b.text, b.x, b.y, b.w) for b in placed] == [
        ("Hal-", 101.0, 63.0, 24.0), ("le-", 141.0, 49.0, 18.0)]  # under each note's row


def test_a_syllable_is_left_out_where_the_zoom_leaves_no_room():
    notes = [(0.0, 50.0, 20.0, "Hal-"), (20.0, 50.0, 40.0, "le-")]
    # The first note (20 px) is narrower than "Hal-" (24 px): only "le-" is written.
    assert [b.text for b in lyric_layout(notes, 14, 10, width_of)] == ["le-"]
    # Rows too low to read a line under: none.
    assert lyric_layout(notes, LYRIC_MIN_ROW - 1, 10, width_of) == []
    # Zoomed in, both fit.
    wide = [(x * 3, y, w * 3, t) for x, y, w, t in notes]
    assert [b.text for b in lyric_layout(wide, 14, 10, width_of)] == ["Hal-", "le-"]


def test_a_syllable_never_runs_into_the_one_before_it_in_the_track():
    # Two notes of one track starting 10 px apart (voices crossing, a chord's notes):
    # the second's syllable would be written over the first's.
    placed = lyric_layout([(0.0, 50.0, 60.0, "Glo-"), (10.0, 64.0, 60.0, "ri-"),
                           (60.0, 50.0, 60.0, "a")], 14, 10, width_of)
    assert [b.text for b in placed] == ["Glo-", "a"]


def test_a_fermata_sits_over_its_notes_head_in_the_row_above():
    x, y, w, h = fermata_box(100.0, 50.0, 400.0, 14)
    assert y + h <= 50.0 and x >= 100.0 and x + w <= 100.0 + 2 * w
    assert fermata_box(100.0, 50.0, 400.0, 4) is None  # rows too low


def test_the_roll_lays_out_the_current_tracks_syllables_and_fermatas(window):
    sop = Track("Soprano", program=52, notes=(
        Note(67, 0, Q, lyric=Lyric("Al", "begin")), Note(69, Q, Q, lyric=Lyric("le", "middle")),
        Note(71, 2 * Q, Q, lyric=Lyric("lu", "middle")),
        Note(72, 3 * Q, 2 * Q, lyric=Lyric("ia", "end"), fermata=True)))
    window.document.reset(Song(tracks=(sop,)))
    canvas = window.pianoroll.canvas
    song = window.document.song
    track = song.tracks[0]
    window.selection.set_tracks([track.id])
    vp = window.pianoroll.viewport
    vp.key_h = 14
    vp.fit_ticks(0, 8 * Q)
    vp.center_on_pitches(60, 76)
    sung: list = []
    held: list = []
    idx = window.pianoroll.index.get(track)
    cols = idx.columns()
    x = (cols["start"] - vp.left) * vp.px_per_tick
    w = (cols["end"] - cols["start"]) * vp.px_per_tick
    y = (127 - cols["pitch"]) * vp.key_h - vp.top + 1
    canvas._mark(idx, x, y, w, cols["id"], np.ones(len(x), bool), True, sung, held)
    assert [b.text for b, mine in sung] == ["Al-", "le-", "lu-", "ia"]
    assert all(mine for _, mine in sung) and len(held) == 1
    vp.fit_ticks(0, 400 * Q)  # far out: each note a few pixels wide, no room to write
    x = (cols["start"] - vp.left) * vp.px_per_tick
    w = (cols["end"] - cols["start"]) * vp.px_per_tick
    sung.clear()
    canvas._mark(idx, x, y, w, cols["id"], np.ones(len(x), bool), True, sung, held)
    assert sung == []
    vp.fit_ticks(0, 8 * Q)
    canvas.repaint()  # painting them goes through, with the font's fermata glyph
    canvas.fermata_font = None  # and with the drawn one, for a font without it
    canvas.repaint()


def test_a_sung_line_behind_the_track_being_edited_keeps_its_words_dimmed(window,
                                                                          monkeypatch):
    """A songwriter's QA: auditioning a Harmonize take, the tune under it lost its words
    (a track not being edited was drawn faint, without its lyrics)."""
    sop = Track("Vocal", program=52, notes=(
        Note(67, 0, Q, lyric=Lyric("Al", "begin")), Note(69, Q, Q, lyric=Lyric("le", "end"))))
    piano = Track("Piano", notes=(Note(48, 0, 2 * Q),))
    window.document.reset(Song(tracks=(sop, piano)))
    song = window.document.song
    window.selection.set_tracks([song.tracks[1].id])  # the piano edited, the vocal behind
    vp = window.pianoroll.viewport
    vp.key_h = 14
    vp.fit_ticks(0, 8 * Q)
    vp.center_on_pitches(44, 76)
    canvas = window.pianoroll.canvas
    marked = []
    mark = canvas._mark

    def spy(idx, x, y, w, ids, free, mine, sung, held, *signs):
        mark(idx, x, y, w, ids, free, mine, sung, held, *signs)
        marked.extend((b.text, m) for b, m in sung)

    monkeypatch.setattr(canvas, "_mark", spy)
    canvas.repaint()
    assert ("Al-", False) in marked and ("le", False) in marked  # written, dimmed
