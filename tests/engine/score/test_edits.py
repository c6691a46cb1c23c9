"""Invertible edits: apply → inverse gives back the song; stale edits are refused."""

import random
from dataclasses import replace

import pytest

from engine.score import (
    ControlEvent,
    EditError,
    EditGroup,
    InsertTrack,
    Mask,
    MoveTrack,
    Note,
    Region,
    Song,
    Track,
    add_notes,
    duplicate_notes,
    move_notes,
    quantize_notes,
    remove_notes,
    replace_in_mask,
    resize_notes,
    set_song_props,
    set_track_props,
    transpose_notes,
)


@pytest.fixture
def song():
    piano = Track("Piano", notes=tuple(Note(60 + i, i * 480, 480, 80 + i) for i in range(8)))
    bass = Track("Bass", program=33, notes=(Note(36, 0, 1920), Note(43, 1920, 1920)))
    return Song(tracks=(piano, bass))


def same_with_ids(a: Song, b: Song) -> bool:
    ids = lambda s: [(t.id, [(n.id, n) for n in t.notes]) for t in s.tracks]  # noqa: E731
    return a == b and ids(a) == ids(b)


def test_every_edit_inverts_exactly(song):
    piano, bass = song.tracks
    edits = [
        add_notes(piano.id, [Note(72, 100, 50)]),
        remove_notes(piano.id, piano.notes[:3]),
        move_notes(piano.id, piano.notes[2:5], 240, 2),
        transpose_notes(bass.id, bass.notes, -12),
        resize_notes(piano.id, piano.notes, -100),
        resize_notes(bass.id, bass.notes, 10),
        quantize_notes(piano.id, piano.notes[:2], 960),
        duplicate_notes(piano.id, piano.notes, 3840),
        set_track_props(song, bass.id, name="Bass 2", program=34, mute=True),
        set_song_props(song, title="Etude"),
        InsertTrack(Track("Drums", is_drum=True, channel=9), 1),
        MoveTrack(0, 1),
    ]
    for e in edits:
        after = e.apply(song)
        assert not same_with_ids(after, song), e.label
        assert same_with_ids(e.inverse().apply(after), song), e.label


def test_group_inverts_in_reverse_order(song):
    piano = song.tracks[0]
    first = move_notes(piano.id, piano.notes[:1], 480)
    mid = first.apply(song)
    second = move_notes(piano.id, mid.tracks[0].notes[:2], 0, 5)
    group = EditGroup((first, second), "Two moves")
    assert same_with_ids(group.inverse().apply(group.apply(song)), song)


def test_stale_edit_is_refused_not_misapplied(song):
    piano = song.tracks[0]
    e = remove_notes(piano.id, piano.notes[:1])
    after = e.apply(song)
    with pytest.raises(EditError, match="not found"):
        e.apply(after)
    moved = move_notes(piano.id, piano.notes[:1], 10).apply(song)
    with pytest.raises(EditError, match="changed"):
        e.apply(moved)


def test_move_clamps_as_a_group(song):
    piano = song.tracks[0]
    e = move_notes(piano.id, piano.notes[:2], -10_000, 200)
    starts = [n.start for n in e.added]
    assert min(starts) == 0 and starts[1] - starts[0] == 480
    assert max(n.pitch for n in e.added) == 127


def test_quantize_snaps_onsets():
    t = Track(notes=(Note(60, 130, 100), Note(62, 250, 100)))
    e = quantize_notes(t.id, t.notes, 120)
    assert sorted(n.start for n in e.added) == [120, 240]
    half = quantize_notes(t.id, t.notes, 120, strength=0.5)
    assert sorted(n.start for n in half.added) == [125, 245]


def test_replace_in_mask_touches_only_the_mask(song):
    piano = song.tracks[0]
    mask = Mask.of(Region(frozenset({piano.id}), 960, 2880, 60, 70))
    new = {piano.id: (Note(67, 960, 240), Note(69, 1440, 240))}
    edit = replace_in_mask(song, mask, new)
    after = edit.apply(song)
    assert mask.notes_outside(after) == mask.notes_outside(song)
    assert [n.pitch for n in mask.notes_inside(after)[piano.id]] == [67, 69]
    assert same_with_ids(edit.inverse().apply(after), song)
    with pytest.raises(EditError, match="outside the mask"):
        replace_in_mask(song, mask, {piano.id: (Note(40, 960, 10),)})


def test_a_rewritten_span_loses_its_pitch_bends_and_what_follows_sounds_the_same(song):
    def bend(tick, value):
        return ControlEvent(tick, "pitchwheel", 0, value)

    mod = ControlEvent(1000, "control_change", 1, 64)
    bends = (bend(0, 0), bend(500, 4096), bend(1200, 8191), bend(1500, 2000), bend(2500, 0))
    piano = replace(song.tracks[0], controls=(*bends, mod))
    song = song.replace_track(piano)
    mask = Mask.of(Region(frozenset({piano.id}), 960, 1920))
    edit = replace_in_mask(song, mask, {piano.id: (Note(67, 960, 240),)}, "Repaint")
    after = edit.apply(song).track(piano.id).controls
    # Entering at +4096: reset at the start; the +2000 in effect at the end is put back.
    assert after == (bend(0, 0), bend(500, 4096), bend(960, 0), mod, bend(1920, 2000),
                     bend(2500, 0))
    assert same_with_ids(edit.inverse().apply(edit.apply(song)), song)
    # A region limited to some pitches shares the channel with notes it keeps: bends stay.
    some = Mask.of(Region(frozenset({piano.id}), 960, 1920, 60, 70))
    kept = replace_in_mask(song, some, {piano.id: (Note(67, 960, 240),)}).apply(song)
    assert kept.track(piano.id).controls == piano.controls
    with pytest.raises(EditError, match="1 note falls outside"):
        replace_in_mask(song, mask, {piano.id: (Note(67, 0, 10),)})


def test_mask_change_detection_inside_vs_outside(song):
    piano = song.tracks[0]
    mask = Mask.of(Region(frozenset({piano.id}), 0, 960))
    outside_edit = move_notes(piano.id, piano.notes[5:6], 0, 1).apply(song)
    assert not mask.changed_between(song, outside_edit)
    inside_edit = move_notes(piano.id, piano.notes[0:1], 0, 1).apply(song)
    assert mask.changed_between(song, inside_edit)


def test_random_edit_sequences_undo_to_the_start(song):
    rng = random.Random(7)
    history, current = [], song
    for _ in range(200):
        track = rng.choice(current.tracks)
        notes = list(track.notes)
        kind = rng.randrange(4)
        if kind == 0 or not notes:
            e = add_notes(track.id, [Note(rng.randrange(30, 90), rng.randrange(0, 8000), 120)])
        elif kind == 1:
            e = remove_notes(track.id, rng.sample(notes, 1))
        elif kind == 2:
            e = move_notes(track.id, rng.sample(notes, min(3, len(notes))), rng.randint(-500, 500))
        else:
            e = resize_notes(track.id, rng.sample(notes, 1), rng.randint(-200, 200))
        current = e.apply(current)
        history.append(e)
    for e in reversed(history):
        current = e.inverse().apply(current)
    assert same_with_ids(current, song)
