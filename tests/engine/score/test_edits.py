"""Invertible edits: apply → inverse gives back the song; stale edits are refused."""

import random
from dataclasses import replace

import pytest

from engine.score import (
    ControlEvent,
    EditError,
    EditGroup,
    InsertTrack,
    KeySignature,
    Mask,
    MoveTrack,
    Note,
    Region,
    ReplaceSong,
    Song,
    TempoChange,
    TimeMap,
    TimeSignature,
    Track,
    add_notes,
    add_notes_replacing,
    duplicate_notes,
    mask_tails,
    move_notes,
    notes_with_tails,
    quantize_notes,
    remove_notes,
    replace_in_mask,
    resize_notes,
    set_song_props,
    set_time_from_bar,
    set_track_props,
    split_at_mask_ends,
    transpose_key_signatures,
    transpose_notes,
    transposes_whole_song,
)
from engine.score.edits import RECORDED_FLAM_S


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
        ReplaceSong(song, Song(tracks=song.tracks[:1], title="Saved")),
    ]
    for e in edits:
        after = e.apply(song)
        assert not same_with_ids(after, song), e.label
        assert same_with_ids(e.inverse().apply(after), song), e.label


def test_a_whole_song_replaced_is_refused_over_another_song(song):
    other = set_song_props(song, title="Edited").apply(song)
    with pytest.raises(EditError, match="Recover: the song changed"):
        ReplaceSong(song, Song(), "Recover").apply(other)


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


def test_a_replaced_note_sounding_past_the_mask_keeps_its_tail():
    """QA: repainting an alto's bars 6-7 took its A4 held from 7.4 into bar 8 whole, and
    the alto fell silent on bar 8's cadence chord, outside the region painted."""
    held = Note(69, 1440, 960, 80)  # beat 4 of bar 1 (PPQ 480) to beat 2 of bar 2
    alto = Track(name="Alto", program=52, notes=(Note(67, 0, 480), held,
                                                  Note(71, 1920 + 480, 480)))
    song = Song(tracks=(alto,), ppq=480)
    mask = Mask.of(Region(frozenset({alto.id}), 0, 1920))
    ((old, tail),) = mask_tails(song, mask)[alto.id]
    assert old == held and (tail.pitch, tail.start, tail.end, tail.velocity) == (69, 1920,
                                                                                  2400, 80)
    split = split_at_mask_ends(song, mask).track(alto.id).notes
    assert [(n.pitch, n.start, n.end) for n in split] == [(67, 0, 480), (69, 1440, 1920),
                                                          (69, 1920, 2400), (71, 2400, 2880)]
    # Another pitch where the mask ends: the tail is struck again on the bar line.
    edit = replace_in_mask(song, mask, {alto.id: (Note(64, 0, 960), Note(65, 960, 960))})
    after = edit.apply(song)
    assert [(n.pitch, n.start, n.end) for n in after.track(alto.id).notes] == [
        (64, 0, 960), (65, 960, 1920), (69, 1920, 2400), (71, 2400, 2880)]
    assert same_with_ids(edit.inverse().apply(after), song)
    # The tail's pitch sounding up to it (a release short of the bar line): one note again.
    after = replace_in_mask(song, mask, {alto.id: (Note(69, 960, 900, 70),)}).apply(song)
    assert [(n.pitch, n.start, n.end, n.velocity) for n in after.track(alto.id).notes] == [
        (69, 960, 2400, 70), (71, 2400, 2880, 96)]
    # What a take's preview draws is what accepting it writes.
    new = {alto.id: (Note(64, 0, 960), Note(65, 960, 960))}
    assert notes_with_tails(song, mask, new)[alto.id] == tuple(
        n for n in replace_in_mask(song, mask, new).apply(song).track(alto.id).notes
        if n.start < 2400)
    # A mask going on past the note (two regions that touch) covers all of it: no tail.
    both = Mask.of(Region(frozenset({alto.id}), 0, 1920), Region(frozenset({alto.id}),
                                                                  1920, 3840))
    assert not mask_tails(song, both)
    # A late release over the bar line (under a 16th) is no tail; drums have none.
    late = song.replace_track(replace(alto, notes=(Note(69, 1440, 500),)))
    assert not mask_tails(late, mask)
    kit = Track(name="Drums", is_drum=True, channel=9, notes=(Note(49, 1440, 960),))
    assert not mask_tails(Song(tracks=(kit,), ppq=480), Mask.of(Region(frozenset({kit.id}),
                                                                       0, 1920)))


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


# -- tempo, meter and key from a bar ---------------------------------------------------------------
def test_a_tempo_set_from_a_bar_holds_until_the_next_and_undoes():
    song = Song(tracks=(Track(notes=(Note(60, 0, 480), Note(62, 9000, 480))),), ppq=480)
    edit = set_time_from_bar(song, 4, bpm=90)
    slower = edit.apply(song)
    assert [(t.tick, round(t.bpm, 3)) for t in slower.tempos] == [(0, 120.0), (7680, 90.0)]
    assert slower.tracks == song.tracks  # notes keep their ticks
    assert edit.label == "Set tempo at bar 5"
    assert edit.inverse().apply(slower) == song
    # The tempo of the bar before drops the change; bar 1 changes the song's first tempo.
    assert set_time_from_bar(slower, 4, bpm=120).apply(slower).tempos == song.tempos
    assert [round(t.bpm, 3) for t in set_time_from_bar(slower, 0, bpm=100).apply(slower).tempos
            ] == [100.0, 90.0]
    assert set_time_from_bar(slower, 4, bpm=90) is None  # nothing to change


def test_a_meter_set_from_a_bar_moves_later_meter_changes_with_their_bars():
    song = Song(ppq=480, time_signatures=(TimeSignature(0, 4, 4), TimeSignature(8 * 1920, 3, 4)))
    # 6/8 from bar 5: bars 5-8 are 1,440 ticks long, so bar 9's 3/4 moves to 7680 + 4 × 1440.
    six = set_time_from_bar(song, 4, meter=(6, 8)).apply(song)
    assert [(s.tick, s.numerator, s.denominator) for s in six.time_signatures] == [
        (0, 4, 4), (7680, 6, 8), (13440, 3, 4)]
    tm = TimeMap.of(six)
    assert tm.bar_to_tick(8) == 13440 and tm.signature_at(13440).numerator == 3
    # 3/4 from bar 5 makes bar 9's 3/4 say what is in force: one change is left.
    three = set_time_from_bar(song, 4, meter=(3, 4)).apply(song)
    assert [(s.tick, s.numerator) for s in three.time_signatures] == [(0, 4), (7680, 3)]
    # Back to 4/4 from bar 5 keeps bar 9's 3/4 at its bar.
    back = set_time_from_bar(six, 4, meter=(4, 4)).apply(six)
    assert back.time_signatures == song.time_signatures
    # Earlier changes stay where they are, even off a bar line (as an imported file may).
    odd = Song(ppq=480, time_signatures=(TimeSignature(0, 4, 4), TimeSignature(1000, 3, 4)))
    later = set_time_from_bar(odd, 3, meter=(5, 4)).apply(odd)
    assert [(s.tick, s.numerator) for s in later.time_signatures] == [
        (0, 4), (1000, 3), (1000 + 2 * 1440, 5)]


def test_a_grouping_set_from_a_bar_is_a_meter_change_of_its_own():
    song = Song(ppq=480, time_signatures=(TimeSignature(0, 7, 8),))
    edit = set_time_from_bar(song, 2, meter=(7, 8, (3, 2, 2)))
    grouped = edit.apply(song)
    assert grouped.time_signatures == (TimeSignature(0, 7, 8),
                                       TimeSignature(2 * 7 * 240, 7, 8, (3, 2, 2)))
    assert edit.label == "Set meter at bar 3"
    assert edit.inverse().apply(grouped) == song
    assert set_time_from_bar(grouped, 2, meter=(7, 8, (3, 2, 2))) is None
    # The usual counting from bar 3 drops the change; 2+2+3 is that counting.
    assert set_time_from_bar(grouped, 2, meter=(7, 8, (2, 2, 3))).apply(grouped) == song
    # A later grouped change keeps its grouping when the bars before it change length.
    first = set_time_from_bar(grouped, 0, meter=(4, 4)).apply(grouped)
    assert first.time_signatures[-1] == TimeSignature(2 * 1920, 7, 8, (3, 2, 2))


def test_a_key_set_from_a_bar_and_dropped_again():
    song = Song(ppq=480, key_signatures=(KeySignature(0, "F"),))
    d = set_time_from_bar(song, 2, key="D").apply(song)
    assert d.key_signatures == (KeySignature(0, "F"), KeySignature(3840, "D"))
    assert set_time_from_bar(d, 2, key="").apply(d) == song  # dropped
    assert set_time_from_bar(d, 2, key="F").apply(d) == song  # says what is in force
    both = set_time_from_bar(song, 2, bpm=60, key="Bbm")
    assert both.label == "Set tempo and key at bar 3"


def test_impossible_tempo_and_meter_are_refused():
    song = Song()
    for kwargs in ({"bpm": 0}, {"bpm": 5000}, {"meter": (0, 4)}, {"meter": (4, 3)}):
        with pytest.raises(ValueError):
            set_time_from_bar(song, 0, **kwargs)
    with pytest.raises(ValueError):
        set_time_from_bar(song, -1, bpm=100)


def test_tempo_and_meter_from_a_bar_take_what_a_midi_file_can_hold():
    # Ctrl+K's spin boxes, convert --tempo and compose share one tempo range; a numerator
    # the dialog offered (up to 255) was refused above 64 by the edit.
    from engine.score import set_time_from_bar
    from engine.score.song import BPM_RANGE

    song = Song()
    assert set_time_from_bar(song, 0, meter=(200, 16)).apply(song).time_signatures[0] \
        .numerator == 200
    assert set_time_from_bar(song, 0, bpm=BPM_RANGE[0]) is not None
    for bad in (BPM_RANGE[0] - 1, BPM_RANGE[1] + 1):
        with pytest.raises(ValueError, match=r"BPM is outside 4\.\.1000"):
            set_time_from_bar(song, 0, bpm=bad)


def test_resize_note_starts_keeps_ends_and_stays_inside_the_note():
    from engine.score import resize_note_starts

    a, b = Note(60, 480, 480), Note(62, 100, 960)
    song = Song((Track("T", notes=(a, b)),))
    tid = song.tracks[0].id
    edit = resize_note_starts(tid, [a, b], -240, min_duration=120)
    assert [(n.start, n.end) for n in edit.added] == [(240, 960), (0, 1060)]  # b: at tick 0
    edit = resize_note_starts(tid, [a, b], 900, min_duration=120)
    assert [(n.start, n.end) for n in edit.added] == [(840, 960), (940, 1060)]
    after = edit.apply(song)
    assert edit.inverse().apply(after) == song


def test_a_new_meter_keeps_a_set_length_in_whole_bars():
    # File ▸ New's 8 bars of 4/4, set to 3/4, were 10⅔ bars: harmonize and continue then
    # wrote to the middle of an 11th bar.
    from engine.score import TimeMap

    song = Song(ppq=480, length=8 * 1920)
    edit = set_time_from_bar(song, 0, meter=(3, 4))
    after = edit.apply(song)
    assert after.length == 8 * 1440 and TimeMap.of(after).whole_bars(after.end) == 8
    assert edit.inverse().apply(after) == song
    later = set_time_from_bar(song, 4, meter=(3, 4)).apply(song)  # from bar 5
    assert later.length == 4 * 1920 + 4 * 1440
    odd = Song(ppq=480, length=3000)  # not on a bar line: left as it is
    assert set_time_from_bar(odd, 0, meter=(3, 4)).apply(odd).length == 3000
    # Music that fills its length decides the end: 8 full bars of 3/4 in 4/4 are 6 bars,
    # not 6 and two silent ones (a Continue then left a gap).
    full = Song((Track("T", notes=tuple(Note(60, i * 480, 480) for i in range(24))),),
                ppq=480, time_signatures=(TimeSignature(0, 3, 4),), length=8 * 1440)
    four = set_time_from_bar(full, 0, meter=(4, 4)).apply(full)
    assert four.length == 8 * 1440 and TimeMap.of(four).whole_bars(four.end) == 6
    # Empty bars after the music keep their number: the music's 6 bars and the 2 empty
    # ones (the bar count kept, 10, made 4 empty bars of 2).
    tail = replace(full, length=10 * 1440)
    longer = set_time_from_bar(tail, 0, meter=(4, 4)).apply(tail)
    assert longer.length == 8 * 1920 and TimeMap.of(longer).whole_bars(longer.end) == 8


def _ends_before_its_last_bar_line(bars: int, meter: tuple[int, int] = (4, 4)) -> Song:
    """A song as nearly every real one is: its last note ends a few ticks before its last
    bar line, the set length (as the demo's: 61,430 and 61,440)."""
    bar = 480 * 4 * meter[0] // meter[1]
    notes = (*(Note(60, i * bar, bar) for i in range(bars - 1)),
             Note(62, (bars - 1) * bar, bar - 10))
    return Song((Track("T", notes=notes),), ppq=480,
                time_signatures=(TimeSignature(0, *meter),), length=bars * bar)


def _bars(song: Song) -> int:
    return TimeMap.of(song).whole_bars(song.end)


def _music_bars(song: Song) -> int:
    return TimeMap.of(song).whole_bars(max(t.end for t in song.tracks))


@pytest.mark.parametrize(("meter", "changes"), [
    ((4, 4), [(9, (3, 4)), (10, (4, 4))]),  # shorter bars, then back: QA's 40 bars, 7 silent
    ((4, 4), [(9, (5, 4)), (10, (4, 4))]),  # longer bars first
    ((3, 4), [(9, (4, 4)), (10, (3, 4))]),
    ((3, 4), [(9, (2, 4)), (10, (3, 4))]),
])
def test_a_song_ends_with_its_music_whatever_meters_are_set(meter, changes):
    # A song whose music ends in its last bar kept its bar count under a new meter: 3/4
    # from bar 10 and 4/4 again from bar 11 made the demo's 32 bars 40, ending with 7
    # silent bars (in the mix, the stems, the MIDI file; Continue wrote after them).
    song = _ends_before_its_last_bar_line(32, meter)
    for bar, new in changes:
        edit = set_time_from_bar(song, bar, meter=new)
        after = edit.apply(song)
        assert edit.inverse().apply(after) == song
        song = after
        assert _bars(song) == _music_bars(song)
        assert song.length == TimeMap.of(song).whole_bars_end(song.end)  # on its bar line


def test_empty_bars_after_the_music_survive_meters_set_and_set_back():
    # Bars added after the music (Insert Bars at the end) are the user's: a meter that
    # lengthened the music took them, and setting it back left none.
    from engine.score import insert_bars

    music = _ends_before_its_last_bar_line(32)
    song = insert_bars(music, 32, 4).apply(music)
    assert _bars(song) == 36
    three = set_time_from_bar(song, 9, meter=(3, 4)).apply(song)
    assert (_music_bars(three), _bars(three)) == (40, 44)
    back = set_time_from_bar(three, 10, meter=(4, 4)).apply(three)
    assert (_music_bars(back), _bars(back)) == (33, 37)
    # A meter set inside the empty bars changes only them.
    late = set_time_from_bar(song, 33, meter=(3, 4)).apply(song)
    assert late.length == 33 * 1920 + 3 * 1440


def _applied(song, edit):
    after = edit.apply(song)
    assert edit.inverse().apply(after) == song  # one undo step gives the song back
    return after


def test_legato_closes_gaps_and_overlaps_and_keeps_chords_together():
    from engine.score import legato_notes

    a, b, c = Note(60, 0, 240), Note(64, 0, 100), Note(62, 480, 960)  # chord, then a note
    d = Note(65, 960, 480)  # the last onset: unchanged
    song = Song((Track("T", notes=(a, b, c, d)),))
    tid = song.tracks[0].id
    edit = legato_notes(tid, [a, b, c, d])
    after = _applied(song, edit)
    assert sorted((n.start, n.end) for n in after.tracks[0].notes) == [
        (0, 480), (0, 480), (480, 960), (960, 1440)]  # c overlapped d: shortened
    assert edit.label == "Legato 3 notes"
    assert not legato_notes(tid, after.tracks[0].notes).added  # already legato: no step


def test_split_cuts_only_the_notes_across_the_tick():
    from engine.score import split_notes

    a, b, c = Note(60, 0, 960, 70), Note(64, 480, 480), Note(67, 0, 480)
    song = Song((Track("T", notes=(a, b, c)),))
    tid = song.tracks[0].id
    edit = split_notes(tid, [a, b, c], 480)  # b starts there, c ends there: not cut
    after = _applied(song, edit)
    parts = sorted((n.pitch, n.start, n.end, n.velocity) for n in after.tracks[0].notes)
    assert parts == [(60, 0, 480, 70), (60, 480, 960, 70), (64, 480, 960, 96),
                     (67, 0, 480, 96)]
    assert after.tracks[0].note_by_id(a.id).end == 480  # the first part keeps the id
    assert edit.label == "Split 1 note"


def test_join_merges_repeated_notes_but_not_across_another_note():
    from engine.score import join_notes

    c1, c2 = Note(60, 0, 200, 80), Note(60, 240, 240, 50)  # repeated C: joined
    d = Note(62, 480, 240)
    c3 = Note(60, 720, 240)  # after the D: stays apart
    e1, e2 = Note(64, 0, 240), Note(64, 240, 240)  # a chord tone repeated with the C
    song = Song((Track("T", notes=(c1, c2, d, c3, e1, e2)),))
    tid = song.tracks[0].id
    edit = join_notes(tid, [c1, c2, d, c3, e1, e2])
    after = _applied(song, edit)
    assert sorted((n.pitch, n.start, n.end, n.velocity) for n in after.tracks[0].notes) == [
        (60, 0, 480, 80), (60, 720, 960, 96), (62, 480, 720, 96), (64, 0, 480, 96)]
    assert after.tracks[0].note_by_id(c1.id).end == 480
    assert edit.label == "Join 4 notes into 2"
    assert not join_notes(tid, [c1, d]).added


def played(track: Track) -> list[tuple[int, int, int, int]]:
    """(start, pitch, duration, velocity) of a track's notes."""
    return sorted(n.key() for n in track.notes)


def test_notes_added_replacing_the_same_pitch_under_them_never_overlap_it():
    c_whole, e_half, g_half = Note(60, 0, 1920, 80), Note(64, 0, 960, 80), Note(67, 960, 960)
    track = Track("Piano", notes=(c_whole, e_half, g_half))
    song = Song(tracks=(track,))
    # C on beat 3 (held C: two halves), E over E (replaced, not doubled), D beside them.
    new = [Note(60, 960, 480, 100), Note(64, 0, 480, 100), Note(62, 0, 480, 100)]
    edit = add_notes_replacing(song, track.id, new, "Enter C E D")
    after = edit.apply(song)
    assert played(after.tracks[0]) == [(0, 60, 960, 80), (0, 62, 480, 100), (0, 64, 480, 100),
                                       (960, 60, 480, 100), (960, 67, 960, 96)]
    kept = {n.id: n for n in after.tracks[0].notes}
    assert c_whole.id in kept and e_half.id not in kept  # the held one cut, the other gone
    assert edit.label == "Enter C E D"
    assert same_with_ids(edit.inverse().apply(after), song)


@pytest.mark.parametrize("bpm, flam", [(120, 29), (300, 60)])  # 30 ms, or a 32nd if shorter
def test_a_note_recorded_a_hair_late_replaces_the_one_it_plays_again(bpm, flam):
    """Pianist QA: C4 recorded over the piano's C4 on beat 1, landing at tick 7, cut the old
    one to a 7-tick note before it (a 9 ms flam, a click). A note of the pitch starting up
    to 30 ms — or a 32nd note, whichever is shorter — before a recorded one is replaced."""
    old = [Note(60, 0, 480, 80), Note(62, 0, 480, 80), Note(64, 0, 480, 80),
           Note(65, 0, 20, 80)]  # (F4: over before the new one starts)
    track = Track("Piano", notes=old)
    song = Song(tracks=(track,), tempos=(TempoChange(0, round(60_000_000 / bpm)),))
    new = [Note(60, flam, 240, 100), Note(62, flam + 1, 240, 100), Note(65, flam, 240, 100)]
    after = add_notes_replacing(song, track.id, new, flam_s=RECORDED_FLAM_S).apply(song)
    assert played(after.tracks[0]) == [(0, 62, flam + 1, 80), (0, 64, 480, 80),
                                       (0, 65, 20, 80), (flam, 60, 240, 100),
                                       (flam, 65, 240, 100), (flam + 1, 62, 240, 100)]
    # In the same call too: a key played again a hair later in the loop's next pass.
    again = [Note(67, 100, 300), Note(67, 100 + flam, 300)]
    after = add_notes_replacing(song, track.id, again, flam_s=RECORDED_FLAM_S).apply(song)
    assert [n.start for n in after.tracks[0].notes if n.pitch == 67] == [100 + flam]
    # Step entry (no flam): the old note is cut where the new one starts, as before.
    after = add_notes_replacing(song, track.id, new[:1]).apply(song)
    assert (0, 60, flam, 80) in played(after.tracks[0])


def test_notes_added_replacing_are_written_in_turn_over_each_other():
    # A key recorded in two passes of a loop: the later pass is written over the earlier.
    track = Track("Piano")
    song = Song(tracks=(track,))
    first, second, third = Note(60, 100, 300), Note(60, 200, 400), Note(60, 50, 100)
    edit = add_notes_replacing(song, track.id, [first, second, third])
    assert played(edit.apply(song).tracks[0]) == [(50, 60, 100, 96), (200, 60, 400, 96)]
    assert edit.removed == () and {n.id for n in edit.added} == {second.id, third.id}



def test_the_whole_song_transposed_moves_its_keys_and_a_part_leaves_them(song):
    # The one rule the studio's ↑/↓ and `partita tracks --transpose` share.
    piano, bass = song.tracks
    kit = Track("Kit", 0, True, 9, notes=(Note(36, 0, 60),))
    band = replace(song, tracks=(piano, bass, kit, Track("Empty")),
                   key_signatures=(KeySignature(0, "Bb"), KeySignature(1920, "Gm")))
    every = {piano.id: len(piano.notes), bass.id: len(bass.notes)}
    assert transposes_whole_song(band, every)  # the kit and an empty track not needed
    assert not transposes_whole_song(band, {**every, kit.id: 1})  # a kit's key is a drum
    assert not transposes_whole_song(band, {piano.id: len(piano.notes)})
    assert not transposes_whole_song(band, {**every, bass.id: 1})
    edit = transpose_key_signatures(band, 2)
    assert [k.key for k in edit.apply(band).key_signatures] == ["C", "Am"]
    assert edit.inverse().apply(edit.apply(band)) == band
    assert transpose_key_signatures(band, -12) is None and transpose_key_signatures(song, 2) is None


def test_the_chord_symbols_move_with_the_key_signatures_spelt_in_the_new_key(song):
    # QA (a singer-songwriter): the whole song down a tone said F major over the old
    # G D Em C, and the next bass regenerated followed them a tone above the band.
    from engine.score import ChordSymbol

    chords = tuple(ChordSymbol(i * 1920, text) for i, text in enumerate(
        ["G", "D/F#", "Em7", "C", "N.C.", "Intro", "A#dim"]))
    dk = replace(song, key_signatures=(KeySignature(0, "G"),), chords=chords)
    edit = transpose_key_signatures(dk, -2)
    down = edit.apply(dk)
    assert [k.key for k in down.key_signatures] == ["F"]
    # Flats in the flat key; what names no pitch stays; A♯ (♯II) is G♯ in F.
    assert [c.text for c in down.chords] == ["F", "C/E", "Dm7", "Bb", "N.C.", "Intro",
                                             "G#dim"]
    assert [c.tick for c in down.chords] == [c.tick for c in chords]
    assert edit.label == "Transpose key signature and chords"
    assert edit.inverse().apply(down) == dk  # one step, undone whole
    # Each chord as the key in force at it spells it: G major a semitone down is F♯
    # major, sharps; E minor from bar 3 is E♭ minor, flats.
    two = replace(dk, key_signatures=(KeySignature(0, "G"), KeySignature(3840, "Em")))
    assert [c.text for c in transpose_key_signatures(two, -1).apply(two).chords[:4]] == [
        "F#", "C#/E#", "Ebm7", "Cb"]
    # No key signature: the chords move still, by the interval's usual spelling.
    bare = replace(song, chords=chords[:4])
    assert [c.text for c in transpose_key_signatures(bare, -2).apply(bare).chords] == [
        "F", "C/E", "Dm7", "Bb"]
    assert transpose_key_signatures(bare, 12) is None


def test_a_meter_label_numbers_the_bar_as_the_ruler_does_after_the_edit():
    # Ctrl+K at bar 1 -> 1/4 (a bar of its own until the next bar is longer), then 4/4
    # at the next bar makes the first a pickup: that bar is bar 1 now, not bar 2.
    song = Song(ppq=480, length=8 * 1920)
    short = set_time_from_bar(song, 0, meter=(1, 4))
    assert short.label == "Set meter at bar 1"
    short_song = short.apply(song)
    pickup = set_time_from_bar(short_song, 1, meter=(4, 4))
    assert pickup.label == "Set meter at bar 1"
    assert TimeMap.of(pickup.apply(short_song)).bar_number(1) == 1
    # Back to 4/4 at the pickup makes it bar 1 again, and the label says so.
    with_pickup = pickup.apply(short_song)
    assert set_time_from_bar(with_pickup, 0, meter=(4, 4)).label == "Set meter at bar 1"
    assert set_time_from_bar(with_pickup, 2, bpm=90).label == "Set tempo at bar 2"


def test_make_room_lets_the_notes_an_edit_writes_sound_alone_at_their_pitch():
    from engine.score import EditGroup, Note, Song, Track, add_notes, move_notes
    from engine.score.overlaps import make_room

    held, covered, later, other = (Note(64, 0, 1920), Note(64, 2400, 240),
                                   Note(64, 3000, 960), Note(67, 960, 480))
    song = Song(tracks=(Track("Piano", notes=(held, covered, later, other)),))
    tid = song.tracks[0].id
    moved = move_notes(tid, [later], -2040)  # E4 at 960–1920: over held's tail
    edit, count = make_room(song, moved)
    assert isinstance(edit, EditGroup) and count == 1 and edit.label == moved.label
    after = edit.apply(song).tracks[0].notes
    assert sorted((n.pitch, n.start, n.end) for n in after) == [
        (64, 0, 960), (64, 960, 1920), (64, 2400, 2640), (67, 960, 1440)]
    assert edit.inverse().apply(edit.apply(song)).tracks[0].notes == song.tracks[0].notes
    # A note drawn over another's start removes it; one elsewhere changes nothing.
    drawn = Note(64, 2300, 480)
    edit, count = make_room(song, add_notes(tid, [drawn]))
    assert count == 1 and covered not in edit.apply(song).tracks[0].notes
    plain = add_notes(tid, [Note(60, 0, 480)])
    assert make_room(song, plain) == (plain, 0)


def test_make_room_settles_the_notes_an_edit_writes_among_themselves():
    # Review: C4 0–480 and 480–960 both lengthened by 240 overlapped each other (0–720,
    # 480–1200); the earlier ends where the later starts, as step entry writes them.
    from engine.score.overlaps import make_room

    first, second = Note(60, 0, 480), Note(60, 480, 480)
    song = Song(tracks=(Track("Piano", notes=(first, second)),))
    tid = song.tracks[0].id
    edit, count = make_room(song, resize_notes(tid, [first, second], 240))
    assert count == 1
    after = edit.apply(song)
    assert played(after.tracks[0]) == [(0, 60, 480, 96), (480, 60, 720, 96)]
    assert same_with_ids(edit.inverse().apply(after), song)
    # Two quantized onto one grid line: one note, the longer.
    short, long = Note(60, 10, 100), Note(60, 30, 180)
    song = Song(tracks=(Track("Piano", notes=(short, long)),))
    tid = song.tracks[0].id
    edit, count = make_room(song, quantize_notes(tid, [short, long], 480))
    after = edit.apply(song).tracks[0].notes
    assert count == 1 and [(n.start, n.duration, n.id) for n in after] == [(0, 180, long.id)]


def test_a_tempo_set_on_a_beat_and_removed_undoes_to_the_same_map():
    """QA: tempo could only be set on a bar line, though a cue's 78 BPM on beat 3 of bar 6
    was imported and shown."""
    from engine.score import TempoChange, remove_tempo_change, set_tempo_at

    q = 480
    song = Song((), ppq=q, tempos=(TempoChange(0, 500_000), TempoChange(22 * q, 769_231)))
    edit = set_tempo_at(song, 22 * q, 72)  # bar 6, beat 3
    assert edit.label == "Set tempo at 6.3"
    after = edit.apply(song)
    assert after.tempos == (TempoChange(0, 500_000), TempoChange(22 * q, 833_333))
    assert edit.inverse().apply(after) == song
    new = set_tempo_at(song, 21 * q, 100)
    assert new.label == "Set tempo at 6.2"
    assert [t.tick for t in new.apply(song).tempos] == [0, 21 * q, 22 * q]
    assert set_tempo_at(song, 21 * q, 120) is None  # what holds there already
    removal = remove_tempo_change(song, 22 * q)
    assert removal.label == "Remove tempo change at 6.3"
    gone = removal.apply(song)
    assert gone.tempos == (TempoChange(0, 500_000),)
    assert removal.inverse().apply(gone) == song
    with pytest.raises(ValueError, match=r"no tempo change at 6\.2"):
        remove_tempo_change(song, 21 * q)
    with pytest.raises(ValueError, match="first tempo"):
        remove_tempo_change(song, 0)
    with pytest.raises(ValueError, match="outside"):
        set_tempo_at(song, q, 2000)
