"""Insert and delete whole bars: the music after moves on every track and map."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.score import (
    ControlEvent,
    KeySignature,
    Marker,
    Note,
    ProgramChange,
    Song,
    TempoChange,
    TimeMap,
    TimeSignature,
    Track,
    delete_bars,
    insert_bars,
)

Q = 480
BAR = 4 * Q


def song() -> Song:
    """Four 4/4 bars then 3/4 from bar 5; a held note across bars 2–3; 120 → 90 BPM at
    bar 3; D minor from bar 3; a program change and a controller at bar 3."""
    lead = Track("Lead", program=73, notes=(
        Note(60, 0, Q), Note(62, BAR, BAR + Q), Note(64, 2 * BAR + Q, Q), Note(65, 3 * BAR, Q),
        Note(67, 4 * BAR, 3 * Q)),
        program_changes=(ProgramChange(0, 73), ProgramChange(2 * BAR, 74)),
        controls=(ControlEvent(2 * BAR + Q, "control_change", 7, 90),))
    bass = Track("Bass", program=33, channel=1, notes=(Note(36, 2 * BAR, BAR),))
    return Song((lead, bass), ppq=Q,
                tempos=(TempoChange(0, 500_000), TempoChange(2 * BAR, 666_667)),
                time_signatures=(TimeSignature(0, 4, 4), TimeSignature(4 * BAR, 3, 4)),
                key_signatures=(KeySignature(0, "C"), KeySignature(2 * BAR, "Dm")),
                markers=(Marker(2 * BAR, "B"),))


def starts(s: Song, track: int = 0) -> list[tuple[int, int, int]]:
    return [(n.pitch, n.start, n.duration) for n in s.tracks[track].notes]


def test_insert_bars_moves_the_music_after_and_leaves_the_new_bars_empty():
    before = song()
    edit = insert_bars(before, 2, 2)  # two bars before bar 3
    after = edit.apply(before)
    assert edit.label == "Insert 2 bars at bar 3"
    assert starts(after) == [
        (60, 0, Q),
        (62, BAR, BAR),  # cut at the bar line ...
        (62, 4 * BAR, Q),  # ... its rest after the new bars
        (64, 4 * BAR + Q, Q), (65, 5 * BAR, Q), (67, 6 * BAR, 3 * Q)]
    assert starts(after, 1) == [(36, 4 * BAR, BAR)]
    # Changes at the bar line hold for the new bars too; later ones move.
    assert [(t.tick, t.us_per_beat) for t in after.tempos] == [(0, 500_000), (2 * BAR, 666_667)]
    assert [(k.tick, k.key) for k in after.key_signatures] == [(0, "C"), (2 * BAR, "Dm")]
    assert [(s.tick, s.numerator) for s in after.time_signatures] == [(0, 4), (6 * BAR, 3)]
    lead = after.tracks[0]
    assert [p.tick for p in lead.program_changes] == [0, 4 * BAR]
    assert [c.tick for c in lead.controls] == [4 * BAR + Q]
    assert [m.tick for m in after.markers] == [4 * BAR]
    tm = TimeMap.of(after)
    assert tm.whole_bars(after.end) == tm.whole_bars(before.end) + 2
    assert not any(n.start < 4 * BAR and n.end > 2 * BAR for t in after.tracks
                   for n in t.notes)  # bars 3–4 are silent
    assert edit.inverse().apply(after) == before  # one undo step, exact
    ids = [n.id for n in before.tracks[0].notes]
    assert all(n.id in ids for n in edit.inverse().apply(after).tracks[0].notes)


def test_insert_bars_takes_the_meter_in_force_and_can_append():
    before = song()
    after = insert_bars(before, 5, 1).apply(before)  # a 3/4 bar inside the 3/4 part
    assert [(n.pitch, n.start) for n in after.tracks[0].notes][-1] == (67, 4 * BAR)
    assert TimeMap.of(after).whole_bars(after.end) == 6
    bars = TimeMap.of(before).whole_bars(before.end)
    end = insert_bars(before, bars, 3).apply(before)  # after the last bar: appended
    assert TimeMap.of(end).whole_bars(end.end) == bars + 3
    assert starts(end) == starts(before)
    with pytest.raises(ValueError, match="bar 9 is outside the song"):
        insert_bars(before, 8, 1)
    with pytest.raises(ValueError, match="1 or more"):
        insert_bars(before, 1, 0)


def test_delete_bars_closes_the_gap_and_keeps_what_holds_after_it():
    before = song()
    edit = delete_bars(before, 1, 2)  # bars 2–3
    after = edit.apply(before)
    assert edit.label == "Delete bars 2–3"
    assert starts(after) == [
        (60, 0, Q),
        (65, BAR, Q), (67, 2 * BAR, 3 * Q)]  # the held note and bar 3's note went
    assert starts(after, 1) == []
    # 90 BPM and D minor began in a deleted bar: they hold from the bar line on.
    assert [(t.tick, t.us_per_beat) for t in after.tempos] == [(0, 500_000), (BAR, 666_667)]
    assert [(k.tick, k.key) for k in after.key_signatures] == [(0, "C"), (BAR, "Dm")]
    assert [(s.tick, s.numerator) for s in after.time_signatures] == [(0, 4), (2 * BAR, 3)]
    lead = after.tracks[0]
    assert [(p.tick, p.program) for p in lead.program_changes] == [(0, 73), (BAR, 74)]
    assert [c.tick for c in lead.controls] == [BAR]
    assert after.markers == ()
    assert edit.inverse().apply(after) == before


def test_deleting_the_last_bars_leaves_no_change_past_the_end():
    # Bars 3-5 hold a tempo, a key, a meter, a marker, a program change and a controller;
    # with nothing after them to hold for, they all go (none restated at the new end).
    before = song()
    edit = delete_bars(before, 2, 3)
    after = edit.apply(before)
    assert TimeMap.of(after).whole_bars(after.end) == 2
    assert [(t.tick, t.us_per_beat) for t in after.tempos] == [(0, 500_000)]
    assert [(k.tick, k.key) for k in after.key_signatures] == [(0, "C")]
    assert [(s.tick, s.numerator) for s in after.time_signatures] == [(0, 4)]
    assert after.markers == ()
    lead = after.tracks[0]
    assert [p.tick for p in lead.program_changes] == [0] and lead.controls == ()
    assert edit.inverse().apply(after) == before  # undo brings them all back
    # A song whose notes (or set length) go on after the cut keeps what holds there.
    longer = replace(before, length=6 * BAR)
    kept = delete_bars(longer, 2, 3).apply(longer)
    assert [(t.tick, t.us_per_beat) for t in kept.tempos] == [(0, 500_000), (2 * BAR, 666_667)]
    assert [(k.tick, k.key) for k in kept.key_signatures] == [(0, "C"), (2 * BAR, "Dm")]


def test_deleting_the_last_bars_releases_a_pedal_and_a_bend_they_released():
    # The pedal goes down in bar 2 and up in bar 3, the bend goes up in bar 2 and back to
    # 0 in bar 4: deleting bars 3-4 (the song's last) must not leave the pedal down and the
    # pitch bent for good. The modulation the cut leaves up is restated too (as when music
    # follows); the volume, which nothing set before the cut, is left unset.
    lead = Track("Piano", notes=(Note(60, 0, BAR), Note(64, BAR, BAR),
                                 Note(67, 2 * BAR, 2 * BAR)),
                 controls=(ControlEvent(BAR, "control_change", 64, 127),
                           ControlEvent(BAR + Q, "pitchwheel", 0, 2048),
                           ControlEvent(2 * BAR, "control_change", 1, 0),
                           ControlEvent(2 * BAR + Q, "control_change", 64, 0),
                           ControlEvent(2 * BAR + Q, "control_change", 7, 90),
                           ControlEvent(3 * BAR, "pitchwheel", 0, 0),
                           ControlEvent(3 * BAR + Q, "control_change", 64, 127),
                           ControlEvent(3 * BAR + 2 * Q, "control_change", 64, 0),
                           ControlEvent(3 * BAR + 2 * Q, "control_change", 1, 40)))
    before = Song((lead,), ppq=Q)
    edit = delete_bars(before, 2, 2)
    after = edit.apply(before)
    assert after.end == 2 * BAR
    assert [(c.tick, c.kind, c.number, c.value) for c in after.tracks[0].controls] == [
        (BAR, "control_change", 64, 127), (BAR + Q, "pitchwheel", 0, 2048),
        (2 * BAR, "control_change", 1, 40), (2 * BAR, "control_change", 64, 0),
        (2 * BAR, "pitchwheel", 0, 0)]
    assert edit.inverse().apply(after) == before  # undo brings the deleted events back
    # A pedal still down where the cut ends stays as it was: nothing to restate.
    held = replace(lead, controls=lead.controls[:2])
    kept = delete_bars(Song((held,), ppq=Q), 2, 2).apply(Song((held,), ppq=Q))
    assert kept.tracks[0].controls == held.controls


def test_delete_bars_shortens_notes_sounding_into_them_and_keeps_their_tails():
    held = Track("Pad", notes=(Note(60, Q, 3 * BAR), Note(64, BAR + Q, 2 * BAR)))
    before = Song((held,), ppq=Q)
    after = delete_bars(before, 1, 1).apply(before)  # bar 2
    assert starts(after) == [(60, Q, 2 * BAR), (64, BAR, BAR + Q)]
    one = delete_bars(before, 0, 1).apply(before)
    assert delete_bars(before, 0, 1).label == "Delete bar 1"
    assert starts(one) == [(60, 0, 2 * BAR + Q), (64, Q, 2 * BAR)]
    with pytest.raises(ValueError, match="bar 5 is outside the song"):
        delete_bars(before, 4, 1)


def test_deleting_bars_keeps_the_bar_lines_before_the_cut():
    # A 4/4 restated in the middle of a bar starts a new bar there (TimeMap): dropping it
    # as "the same meter" moved every bar line after it (found by a review's fuzzing).
    notes = tuple(Note(60 + i, t, Q) for i, t in enumerate((0, 4 * Q, 6 * Q, 10 * Q)))
    before = Song((Track("P", notes=notes),), ppq=Q,
                  time_signatures=(TimeSignature(0, 4, 4), TimeSignature(6 * Q, 4, 4)))
    lines = TimeMap.of(before)
    after = delete_bars(before, 2, 1).apply(before)
    tm = TimeMap.of(after)
    assert [tm.bar_to_tick(b) for b in range(3)] == [lines.bar_to_tick(b) for b in range(3)]
    assert [n.start for n in after.tracks[0].notes] == [0, 4 * Q, 6 * Q]
    with pytest.raises(ValueError, match="the song has no bars to delete"):
        delete_bars(Song(), 0, 1)


def test_insert_then_delete_gives_back_every_note_and_id():
    before = song()
    ids = [[(n.key(), n.id) for n in t.notes] for t in before.tracks]
    edit = insert_bars(before, 2, 2)
    back = edit.inverse().apply(edit.apply(before))
    assert [[(n.key(), n.id) for n in t.notes] for t in back.tracks] == ids


def test_copying_bars_adds_their_notes_at_the_bar_named_and_undoes():
    """Copy and paste of whole bars, headless too ("repeat bars 1–2 at bar 9")."""
    from engine.score import copy_bars

    s = song()
    lead, bass = s.tracks
    edit = copy_bars(s, 0, 1, 5)  # bars 1–2 to bar 6 (3/4 from bar 5: bar by bar)
    after = edit.apply(s)
    at = TimeMap.of(s).bar_to_tick(5)
    new_lead = [n for n in after.tracks[0].notes if n.start >= at]
    assert [(n.pitch, n.start - at, n.duration) for n in new_lead] == [
        (60, 0, Q), (62, 3 * Q, 3 * Q)]  # the held note on bar 7's downbeat, cut at its end
    assert after.tracks[0].notes[:5] == lead.notes  # what was there stays
    assert after.tracks[1].notes == bass.notes  # bass has nothing in bars 1–2
    assert after.end == at + 6 * Q and edit.label == "Copy bars 1–2 to bar 6 (2 notes)"
    assert edit.inverse().apply(after) == s
    only_bass = copy_bars(s, 2, 2, 0, [bass.id]).apply(s)  # bar 3's bass to bar 1
    assert only_bass.tracks[0] == lead
    assert [n.start for n in only_bass.tracks[1].notes] == [0, 2 * BAR]
    with pytest.raises(ValueError, match="hold no notes"):
        copy_bars(s, 1, 1, 0, [bass.id])
    with pytest.raises(ValueError, match="not all in the song"):
        copy_bars(s, 4, 9, 0)
    with pytest.raises(ValueError, match="after the song's end"):
        copy_bars(s, 0, 0, 9)


def test_copied_bars_replace_what_the_track_had_there_and_keep_a_pickup_in_place():
    """QA: copying onto bars with music doubled every drum hit, and a tune's 1/4 pickup
    landed on the downbeat, every later note a beat off the bar lines."""
    from engine.score import copy_bars

    beat = [Note(36, i * Q, Q // 2) for i in range(8)]  # bars 1–2, a hit every beat
    held = Note(48, 2 * BAR - Q, 2 * Q)  # sounds into bar 3
    kit = Track("Drums", notes=(*beat, held, Note(38, 2 * BAR, Q)))
    s = Song((kit,), ppq=Q, time_signatures=(TimeSignature(0, 4, 4),), length=4 * BAR)
    after = copy_bars(s, 0, 0, 2).apply(s)  # bar 1 onto bar 3
    starts = [(n.start, n.pitch) for n in after.tracks[0].notes]
    assert len(starts) == len(set(starts))  # nothing doubled
    assert [n.start for n in after.tracks[0].notes if n.start >= 2 * BAR] == [
        2 * BAR + i * Q for i in range(4)]  # bar 3's snare replaced by the copy
    cut = next(n for n in after.tracks[0].notes if n.pitch == 48)
    assert cut.end == 2 * BAR  # the note sounding into the copy ends where it begins

    tune = Track("Tune", notes=(Note(62, 0, Q), Note(67, Q, 3 * Q), Note(71, 4 * Q, 3 * Q)))
    pickup = Song((tune,), ppq=Q, time_signatures=(TimeSignature(0, 1, 4),
                                                   TimeSignature(Q, 3, 4)))
    tm = TimeMap.of(pickup)
    assert tm.pickup_shift(0) == 2 * Q
    again = copy_bars(pickup, 0, 2, 3).apply(pickup)  # the pickup and two bars to bar 4
    copied = [n for n in again.tracks[0].notes if n.start >= tm.bar_to_tick(3)]
    # The pickup on bar 4's last beat, its downbeat G on bar 5's downbeat, as written.
    assert [(n.pitch, n.start) for n in copied] == [
        (62, tm.bar_to_tick(3) + 2 * Q), (67, tm.bar_to_tick(4)), (71, tm.bar_to_tick(5))]


def _cc(c: ControlEvent) -> tuple[int, str, int, int]:
    return c.tick, c.kind, c.number, c.value


def test_bars_copied_onto_bars_of_another_meter_land_on_their_bar_lines():
    """QA: bars 13–16 (4/4) copied onto bars 21–24 (3/4) overwrote the downbeat of the
    section after them (the copy was measured in ticks, four 4/4 bars long). Now bar by
    bar: each bar from the downbeat of the bar it goes onto, what that bar is too short
    for cut at its end or left out, and named."""
    from engine.score import bar_copy

    bar3 = 3 * Q
    tune = Track("Strings", notes=(
        Note(60, 0, Q), Note(67, 3 * Q, Q),  # bar 1: its 4th beat does not fit a 3/4 bar
        Note(62, BAR, 4 * Q),  # bar 2: a whole note, cut to the 3/4 bar
        Note(64, 2 * BAR + Q, 2 * BAR),  # bar 3, held into bar 4
        Note(48, 4 * BAR, Q), Note(50, 4 * BAR + 2 * bar3, Q),  # bars 5–7 (3/4)
        Note(72, 4 * BAR + 4 * bar3, Q)))  # bar 9 (4/4 again): the next section
    s = Song((tune,), ppq=Q, time_signatures=(
        TimeSignature(0, 4, 4), TimeSignature(4 * BAR, 3, 4),
        TimeSignature(4 * BAR + 4 * bar3, 4, 4)), key_signatures=(KeySignature(0, "C"),))
    tm = TimeMap.of(s)
    copy = bar_copy(s, 0, 3, 4)  # bars 1–4 onto bars 5–8
    after = copy.edit.apply(s)
    at = tm.bar_to_tick(4)
    assert [(n.pitch, n.start - at, n.duration) for n in after.tracks[0].notes
            if at <= n.start < tm.bar_to_tick(8)] == [
        (60, 0, Q),  # bar 5's downbeat
        (62, bar3, bar3),  # bar 6's, cut at its end
        (64, 2 * bar3 + Q, 2 * Q + bar3)]  # bar 7's second beat, held into bar 8 and on
    # The section after the copy is as it was, its downbeat too.
    assert [n for n in after.tracks[0].notes if n.start >= tm.bar_to_tick(8)] == [
        tune.notes[-1]]
    assert TimeMap.of(after).bar_to_tick(8) == tm.bar_to_tick(8)
    assert copy.warnings == (
        "bar 5 (3/4) is shorter than bar 1 (4/4), copied onto it: Strings' G4 at 1.4 "
        "left out",
        "bar 6 (3/4) is shorter than bar 2 (4/4), copied onto it: Strings' D4 at 2.1 cut "
        "at the bar line")
    # Same meters: nothing to say.
    assert bar_copy(s, 4, 5, 6).warnings == ()


def test_copying_every_track_copies_the_rests_of_a_track_too():
    """QA: copying bars 1–4 to bar 13 left the old bass notes in bars 13–16 under the
    copied drums, because the bass rests in bars 1–4: the copy is of the bars."""
    from engine.score import copy_bars

    drums = Track("Drums", is_drum=True, channel=9,
                  notes=tuple(Note(36, i * Q, Q // 2) for i in range(4)))
    bass = Track("Bass", channel=1, notes=(Note(40, 2 * BAR, BAR), Note(43, 3 * BAR, Q)))
    s = Song((drums, bass), ppq=Q)
    after = copy_bars(s, 0, 0, 2).apply(s)  # bar 1 (bass resting) onto bar 3
    assert [n.start for n in after.tracks[0].notes] == [*range(0, BAR, Q),
                                                        *range(2 * BAR, 3 * BAR, Q)]
    assert [(n.pitch, n.start) for n in after.tracks[1].notes] == [(43, 3 * BAR)]
    # Copying the drums alone leaves the bass as it is.
    only_drums = copy_bars(s, 0, 0, 2, [drums.id]).apply(s)
    assert only_drums.tracks[1] == bass


def test_copied_bars_bring_their_pedal_and_bends_and_leave_the_track_as_it_was_after():
    """The copy of a pianist's bars took the notes alone: the pedal, pressed before them
    and changed inside, and a bend were lost (or left down over the music after)."""
    from engine.score import copy_bars

    piano = Track("Piano", notes=(Note(60, 0, BAR), Note(64, BAR, BAR), Note(67, 2 * BAR, Q),
                                  Note(72, 3 * BAR, BAR), Note(74, 4 * BAR, BAR)),
                  controls=(ControlEvent(BAR - Q, "control_change", 64, 127),  # down
                            ControlEvent(BAR + 2 * Q, "control_change", 64, 0),
                            ControlEvent(BAR + 2 * Q, "control_change", 64, 127),
                            ControlEvent(BAR + 3 * Q, "pitchwheel", 0, 1024),
                            ControlEvent(2 * BAR + Q, "control_change", 64, 0),
                            ControlEvent(2 * BAR + Q, "pitchwheel", 0, 0),
                            ControlEvent(3 * BAR + Q, "control_change", 11, 90)))
    s = Song((piano,), ppq=Q, length=5 * BAR)
    edit = copy_bars(s, 1, 1, 3)  # bar 2 (pedal down from bar 1) onto bar 4
    after = edit.apply(s)
    assert [_cc(c) for c in after.tracks[0].controls] == [
        *[_cc(c) for c in piano.controls[:6]],
        (3 * BAR, "control_change", 64, 127),  # the pedal as it was where bar 2 begins
        (3 * BAR + 2 * Q, "control_change", 64, 0),  # bar 2's own pedal change and bend
        (3 * BAR + 2 * Q, "control_change", 64, 127),
        (3 * BAR + 3 * Q, "pitchwheel", 0, 1024),
        # bar 5 as the track had it: the pedal up, no bend, expression at 90 (which the
        # copy replaced: bar 2 played at full expression)
        (4 * BAR, "control_change", 64, 0), (4 * BAR, "pitchwheel", 0, 0),
        (4 * BAR, "control_change", 11, 90)]
    assert edit.inverse().apply(after) == s


def test_inserted_bars_do_not_ring_with_the_pedal_or_a_bend_in_force():
    """QA: bars inserted where the pedal was down (and a bend in force) cut the held
    note, but the pedal stayed down through the new bars, ringing. Released and reset at
    the gap, set again after it; expression and volume hold on."""
    piano = Track("Piano", notes=(Note(60, 0, 2 * BAR), Note(64, 2 * BAR, BAR)),
                  controls=(ControlEvent(0, "control_change", 64, 127),
                            ControlEvent(Q, "pitchwheel", 0, -2048),
                            ControlEvent(Q, "control_change", 11, 70),
                            ControlEvent(BAR, "control_change", 1, 30),
                            ControlEvent(2 * BAR + Q, "control_change", 64, 0)))
    s = Song((piano,), ppq=Q)
    edit = insert_bars(s, 1, 2)  # two bars before bar 2
    after = edit.apply(s)
    assert [_cc(c) for c in after.tracks[0].controls] == [
        *[_cc(c) for c in piano.controls[:3]],
        (BAR, "control_change", 64, 0), (BAR, "pitchwheel", 0, 0),  # the gap: silent
        (3 * BAR, "control_change", 64, 127), (3 * BAR, "pitchwheel", 0, -2048),  # again
        (3 * BAR, "control_change", 1, 30),  # moved with the music
        (4 * BAR + Q, "control_change", 64, 0)]
    assert edit.inverse().apply(after) == s
    # Bars added after the song's end: released, nothing to set again for.
    appended = insert_bars(s, 3, 1).apply(s)
    assert [_cc(c) for c in appended.tracks[0].controls][-1] == (3 * BAR, "pitchwheel", 0, 0)


def test_deleting_a_sections_first_bar_keeps_its_marker_on_the_bar_line():
    """QA: deleting bar 13, where "Chorus" starts, deleted the marker (a key change there
    was kept): the chorus still starts at bar 13. Unless the next bar line has its own
    marker (the whole section deleted) or nothing follows."""
    notes = tuple(Note(60, b * BAR, Q) for b in range(6))
    s = Song((Track("P", notes=notes),), ppq=Q,
             markers=(Marker(2 * BAR, "Chorus"), Marker(2 * BAR + Q, "Hit"),
                      Marker(4 * BAR, "Bridge")))
    after = delete_bars(s, 2, 1).apply(s)
    assert [(m.tick, m.text) for m in after.markers] == [(2 * BAR, "Chorus"),
                                                          (3 * BAR, "Bridge")]
    whole = delete_bars(s, 2, 2).apply(s)  # the whole chorus
    assert [(m.tick, m.text) for m in whole.markers] == [(2 * BAR, "Bridge")]
    end = delete_bars(s, 4, 2).apply(s)  # the song's last bars
    assert [m.text for m in end.markers] == ["Chorus", "Hit"]


def cue() -> Song:
    """A film cue: a 1/4 pickup, 4/4 from bar 1, 7/8 from bar 3; a tempo change on beat 3
    of bar 2; markers at bars 1 and 3."""
    tune = Track("Strings", notes=(Note(67, 0, Q), Note(72, Q, BAR), Note(74, Q + BAR, Q)))
    return Song((tune,), ppq=Q,
                tempos=(TempoChange(0, 500_000), TempoChange(Q + BAR + 2 * Q, 769_231)),
                time_signatures=(TimeSignature(0, 1, 4), TimeSignature(Q, 4, 4),
                                 TimeSignature(Q + 2 * BAR, 7, 8)),
                markers=(Marker(Q, "Main"), Marker(Q + 2 * BAR, "Odd")))


def test_a_bar_inserted_before_a_pickup_is_a_full_bar_that_the_pickup_ends():
    """QA: --insert-bars 0:1 inserted a second 1/4 bar, the pickup stopped being one and
    every later bar was numbered two higher."""
    before = cue()
    edit = insert_bars(before, 0, 1)
    after = edit.apply(before)
    assert edit.label == "Insert 1 bar before the pickup (its notes end bar 1 now)"
    tm = TimeMap.of(after)
    assert not tm.has_pickup
    assert [(s.tick, s.meter[:2]) for s in after.time_signatures] == [
        (0, (4, 4)), (3 * BAR, (7, 8))]  # 7/8 from bar 3 → bar 4
    assert starts(after) == [(67, 3 * Q, Q), (72, BAR, BAR), (74, 2 * BAR, Q)]
    assert tm.format_position(3 * Q) == "1.4.000"  # the upbeat on beat 4 of the new bar
    assert tm.format_position(BAR) == "2.1.000"  # the old bar 1
    assert [tm.format_position(m.tick) for m in after.markers] == ["2.1.000", "4.1.000"]
    assert [(t.tick, t.us_per_beat) for t in after.tempos] == [
        (0, 500_000), (2 * BAR + 2 * Q, 769_231)]  # still on beat 3 of the old bar 2
    assert edit.inverse().apply(after) == before
    # Two bars: the upbeat on beat 4 of bar 2, the old bar 1 now bar 3.
    twice = insert_bars(before, 0, 2).apply(before)
    assert TimeMap.of(twice).format_position(twice.tracks[0].notes[1].start) == "3.1.000"


def test_a_bar_inserted_at_bar_1_after_a_pickup_is_a_full_bar_and_keeps_the_pickup():
    before = cue()
    after = insert_bars(before, 1, 1).apply(before)
    tm = TimeMap.of(after)
    assert tm.has_pickup
    assert [(s.tick, s.meter[:2]) for s in after.time_signatures] == [
        (0, (1, 4)), (Q, (4, 4)), (Q + 3 * BAR, (7, 8))]
    assert [tm.format_position(m.tick) for m in after.markers] == ["2.1.000", "4.1.000"]
    assert starts(after)[0] == (67, 0, Q)
