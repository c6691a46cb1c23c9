"""Performance events: exact frames through tempo changes, the sustain pedal, programs."""

import pytest

from engine.render.events import channel_events, note_spans, song_frames, sustained_ends
from engine.score import ControlEvent, Note, ProgramChange, Song, TempoChange, Track

PPQ = 480


def pedal(tick: int, down: bool) -> ControlEvent:
    return ControlEvent(tick, "control_change", 64, 127 if down else 0)


def test_frames_follow_the_tempo_map():
    track = Track(notes=(Note(60, 0, 480), Note(62, 960, 480), Note(64, 1920, 480)))
    song = Song(tracks=(track,), tempos=(TempoChange(0, 500_000), TempoChange(960, 1_000_000)))
    spans = note_spans(song, track, 1000)
    # 2 beats at 0.5 s, then 1 s per beat.
    assert [(s.on, s.off) for s in spans] == [(0, 500), (1000, 2000), (3000, 4000)]
    assert song_frames(song, 1000) == 4000


def test_the_sustain_pedal_holds_notes_until_it_is_released():
    notes = (Note(60, 0, 240), Note(64, 480, 240), Note(60, 1200, 240), Note(67, 2400, 240))
    controls = (pedal(100, True), pedal(1920, False))
    ends = sustained_ends(Track(notes=notes, controls=controls))
    # Held to the pedal-up, except the first C, which is struck again at 1200.
    assert ends == [1200, 1920, 1920, 2640]


@pytest.mark.parametrize(("controls", "expected_end"), [
    # Quantized pedal change: up and down on the tick the chord ends clears it.
    ((pedal(0, True), pedal(1920, False), pedal(1920, True), pedal(3840, False)), 1920),
    # Pedal only goes down as the note ends: too late to catch it.
    ((pedal(1920, True), pedal(3840, False)), 1920),
    # Pedal only comes up as the note ends: released on time.
    ((pedal(0, True), pedal(1920, False)), 1920),
    # Pedal down since before the end and still down: held to the pedal-up.
    ((pedal(0, True), pedal(3840, False)), 3840),
    # Down one tick before the end: caught.
    ((pedal(1919, True), pedal(3840, False)), 3840),
])
def test_a_pedal_holds_a_note_only_if_it_went_down_before_the_note_ended(
        controls: tuple[ControlEvent, ...], expected_end: int):
    chord = Track(notes=(Note(60, 0, 1920), Note(64, 0, 1920)), controls=controls)
    assert sustained_ends(chord) == [expected_end, expected_end]


def test_a_pedal_never_released_ends_with_the_track_and_drums_ignore_it():
    notes = (Note(60, 0, 240), Note(62, 960, 240))
    assert sustained_ends(Track(notes=notes, controls=(pedal(0, True),))) == [1200, 1200]
    drums = Track(is_drum=True, channel=9, notes=notes, controls=(pedal(0, True),))
    assert sustained_ends(drums) == [240, 1200]


def test_programs_bends_and_controllers():
    track = Track(
        program=0,
        notes=(Note(60, 0, 480), Note(60, 960, 480), Note(60, 1920, 0, velocity=0)),
        program_changes=(ProgramChange(960, 40),),
        controls=(ControlEvent(480, "pitchwheel", 0, -8192),
                  ControlEvent(0, "control_change", 7, 90),
                  ControlEvent(0, "control_change", 11, 100)),
    )
    song = Song(tracks=(track,))
    spans = note_spans(song, track, 1000)
    assert [s.program for s in spans] == [0, 40]  # the velocity-0 note is silent: dropped
    events = [(e.frame, e.kind, e.a, e.b) for e in channel_events(song, track, 1000)]
    # CC7 is not passed on: the track's volume is applied to the stem instead.
    assert events == [(0, "cc", 11, 100), (500, "bend", 0, 0), (1000, "program", 40, 0)]


def test_a_pedal_never_released_rings_to_the_end_of_the_song():
    # A GM file's last chord with the pedal down and no pedal-up: it went silent at its
    # own note-off (0.8 s of a 4 s song) instead of ringing to the end as a synth plays it.
    from engine.score import Song

    chord = Track(notes=(Note(60, 0, 240), Note(64, 0, 240)), controls=(pedal(0, True),))
    song = Song((chord,), ppq=480, length=4 * 1920)
    assert sustained_ends(chord, song.end) == [4 * 1920, 4 * 1920]
    spans = note_spans(song, chord, 48_000)
    assert spans[0].off == song_frames(song, 48_000)
