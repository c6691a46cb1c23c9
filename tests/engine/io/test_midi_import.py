"""MIDI import rules on small hand-made files: pairing, channels, programs, maps."""

from __future__ import annotations

import mido
import pytest

from engine.io import midi_from_bytes, read_midi
from engine.score import (
    DRUM_CHANNEL,
    ControlEvent,
    KeySignature,
    Marker,
    ProgramChange,
    TempoChange,
    TimeSignature,
)
from tests.engine.io.midi_builders import midi_bytes, off, on

Meta = mido.MetaMessage
Msg = mido.Message


def notes_of(song, index=0):
    return [(n.pitch, n.start, n.duration, n.velocity) for n in song.tracks[index].notes]


def test_same_pitch_overlaps_pair_first_in_first_out():
    # Two overlapping C4s: the first note-off ends the first note, as sequencers do.
    data = midi_bytes([[on(60, 0, 100), on(60, 10, 80), off(60, 10), off(60, 10)]])
    assert notes_of(midi_from_bytes(data)) == [(60, 0, 20, 100), (60, 10, 20, 80)]


def test_note_on_velocity_zero_ends_a_note_and_running_status_is_read():
    # mido writes note_on/vel-0 pairs with running status (one status byte for all four).
    data = midi_bytes([[on(60, 0), off(60, 240, as_on=True), on(62, 0), off(62, 120, as_on=True)]])
    assert data.count(b"\x90") == 1
    assert notes_of(midi_from_bytes(data)) == [(60, 0, 240, 90), (62, 240, 120, 90)]


def test_zero_length_notes_are_kept():
    data = midi_bytes([[on(60, 100), off(60, 0), on(64, 0), off(64, 50)]])
    assert notes_of(midi_from_bytes(data)) == [(60, 100, 0, 90), (64, 100, 50, 90)]


def test_orphan_note_offs_are_ignored_and_hanging_notes_end_with_the_track():
    data = midi_bytes([[off(50, 0), on(60, 10), off(61, 10), Meta("end_of_track", time=500)]])
    assert notes_of(midi_from_bytes(data)) == [(60, 10, 510, 90)]


def test_ppq_and_ticks_are_kept_exactly():
    data = midi_bytes([[on(60, 7), off(60, 13)]], ppq=96)
    song = midi_from_bytes(data)
    assert song.ppq == 96
    assert notes_of(song) == [(60, 7, 13, 90)]


def test_defaults_without_tempo_or_meter():
    song = midi_from_bytes(midi_bytes([[on(60), off(60, 480)]]))
    assert song.tempos == (TempoChange(0, 500_000),)
    assert song.time_signatures == (TimeSignature(0, 4, 4),)


def test_several_channels_in_one_track_split_into_song_tracks():
    # A type-0 file: track name is the title; channel 10 is drums.
    data = midi_bytes([[
        Meta("track_name", name="My Song"),
        Msg("program_change", program=33, channel=2),
        on(40, 0, ch=2), on(36, 0, ch=9), on(60, 0, ch=0),
        off(40, 480, ch=2), off(36, 0, ch=9), off(60, 0, ch=0),
    ]], type=0)
    song = midi_from_bytes(data)
    assert song.title == "My Song"
    assert [(t.channel, t.program, t.is_drum, t.name) for t in song.tracks] == [
        (0, 0, False, "Acoustic Grand Piano"),
        (2, 33, False, "Electric Bass (finger)"),
        (DRUM_CHANNEL, 0, True, "Drum Kit"),
    ]


def test_track_names_come_from_track_name_even_in_latin_1():
    data = midi_bytes([
        [Meta("track_name", name="Title")],
        [Meta("track_name", name="Spår 1"), on(60), off(60, 10)],  # mido writes Latin-1
    ])
    assert b"Sp\xe5r" in data
    assert midi_from_bytes(data).tracks[0].name == "Spår 1"


def test_japanese_names_in_shift_jis_read_as_japanese_and_european_ones_as_windows_1252():
    from engine.io.text import decode_text

    def sjis(text: str) -> str:  # mido writes names as Latin-1: these are the cp932 bytes
        return text.encode("cp932").decode("latin-1")

    data = midi_bytes([
        [Meta("track_name", name=sjis("春の海"))],  # the title
        [Meta("track_name", name=sjis("ピアノ")), on(60), off(60, 10)],
        [Meta("track_name", name=sjis("ベース")), on(40), off(40, 10)],  # C1 in Latin-1
    ])
    song = midi_from_bytes(data)
    assert song.title == "春の海"
    assert [t.name for t in song.tracks] == ["ピアノ", "ベース"]
    for japanese in ("右手", "Aメロ", "ドラム１", "ﾋﾟｱﾉ", "主旋律 (Vn)"):
        assert decode_text(japanese.encode("cp932")) == japanese
    # Windows-1252 that cp932 decodes too, as lone ideographs or half-width katakana in
    # words ("M駘odie", "ﾜbung") or its user-defined area ("Flöte"), or not at all.
    for european in ("Flöte", "Übung für Äöü", "Übung", "Mélodie", "Crème brûlée",
                     "Don’t Stop", "Straße", "São Paulo", "Spår 1", "Händel", "« Intro »"):
        assert decode_text(european.encode("cp1252")) == european


def test_program_changes_first_is_program_later_ones_kept():
    data = midi_bytes([[
        Msg("program_change", program=5), Msg("program_change", program=3),
        on(60), off(60, 100),
        Msg("program_change", program=40, time=10), on(62), off(62, 100),
    ]])
    track = midi_from_bytes(data).tracks[0]
    assert track.program == 3
    assert track.program_changes == (ProgramChange(110, 40),)


def test_program_and_volume_from_a_set_up_track_on_the_same_channel():
    data = midi_bytes([
        [Msg("program_change", program=24, channel=1),
         Msg("control_change", control=7, value=100, channel=1)],
        [on(60, 0, ch=1), off(60, 100, ch=1)],
    ])
    track = midi_from_bytes(data).tracks[0]
    assert track.program == 24
    assert track.volume == pytest.approx(100 / 127)
    assert track.controls == (ControlEvent(0, "control_change", 7, 100),)


def test_controls_are_kept_and_set_volume_and_pan():
    data = midi_bytes([[
        Msg("control_change", control=7, value=90), Msg("control_change", control=10, value=0),
        on(60, 0), Msg("pitchwheel", pitch=-8192, time=5), Msg("aftertouch", value=30),
        Msg("polytouch", note=60, value=20), Msg("control_change", control=7, value=10),
        off(60, 5),
    ]])
    track = midi_from_bytes(data).tracks[0]
    assert track.volume == pytest.approx(90 / 127)
    assert track.pan == -1.0
    assert track.controls == (
        ControlEvent(0, "control_change", 7, 90), ControlEvent(0, "control_change", 10, 0),
        ControlEvent(5, "pitchwheel", 0, -8192), ControlEvent(5, "aftertouch", 0, 30),
        ControlEvent(5, "polytouch", 60, 20), ControlEvent(5, "control_change", 7, 10),
    )


def test_tempo_meter_key_markers_from_any_track_last_one_per_tick_wins():
    data = midi_bytes([
        [Meta("set_tempo", tempo=600_000), Meta("set_tempo", tempo=545_454),
         Meta("time_signature", numerator=3, denominator=4),
         Meta("key_signature", key="F#m"), Meta("marker", text="Intro"),
         Meta("set_tempo", tempo=400_000, time=960), Meta("marker", text="Verse")],
        [on(60), off(60, 1920), Meta("time_signature", numerator=6, denominator=8)],
    ])
    song = midi_from_bytes(data)
    assert song.tempos == (TempoChange(0, 545_454), TempoChange(960, 400_000))
    assert song.time_signatures == (TimeSignature(0, 3, 4), TimeSignature(1920, 6, 8))
    assert song.key_signatures == (KeySignature(0, "F#m"),)
    assert song.markers == (Marker(0, "Intro"), Marker(960, "Verse"))


def test_a_cue_point_alone_is_a_hit_point_locked_to_its_time():
    data = midi_bytes([[Meta("set_tempo", tempo=600_000), Meta("cue_marker", text="Door slam"),
                        on(60), off(60, 1920), Meta("cue_marker", text="Cut", time=0)]])
    song = midi_from_bytes(data)
    assert [(m.tick, m.text, m.seconds) for m in song.markers] == [
        (0, "Door slam", 0.0), (1920, "Cut", pytest.approx(2.4))]


def test_meters_no_bar_grid_can_hold_are_dropped():
    data = midi_bytes([[Meta("time_signature", numerator=4, denominator=64), on(60),
                        off(60, 10)]], ppq=8)  # a 64th note would be half a tick
    assert midi_from_bytes(data).time_signatures == (TimeSignature(0, 4, 4),)


def test_silence_after_the_last_note_is_kept_as_the_length():
    data = midi_bytes([[on(60), off(60, 480), Meta("end_of_track", time=1440)]])
    assert midi_from_bytes(data).length == 1920
    tight = midi_bytes([[on(60), off(60, 480)]])
    assert midi_from_bytes(tight).length == 0


def test_an_end_of_track_a_few_ticks_past_a_bar_line_makes_no_bar_of_silence():
    """A DAW's export of a 4-bar loop: the last note-off and the end of track a few ticks
    after bar 4's line (QA: `partita info` said 5 bars, and --end loop rendered 5)."""
    from engine.score import song_bars

    daw = midi_bytes([[on(60), off(60, 4 * 1920 + 5)]])
    assert song_bars(midi_from_bytes(daw)) == 4
    later = midi_bytes([[on(60), off(60, 4 * 1920 - 480), Meta("end_of_track", time=485)]])
    song = midi_from_bytes(later)
    assert song.length == 4 * 1920 and song_bars(song) == 4  # the silence to the line kept
    tail = midi_bytes([[on(60), off(60, 4 * 1920), Meta("end_of_track", time=960)]])
    assert song_bars(midi_from_bytes(tail)) == 5  # half a bar of reverb tail is a bar


def test_smpte_time_division_keeps_ticks_in_seconds():
    data = bytearray(midi_bytes([[on(60), off(60, 50)]], ppq=480))
    data[12:14] = bytes([256 - 25, 40])  # 25 fps, 40 ticks per frame = 1000 ticks/s
    song = midi_from_bytes(bytes(data))
    assert song.ppq == 1000 and song.tempos == (TempoChange(0, 1_000_000),)
    assert notes_of(song) == [(60, 0, 50, 90)]


def test_read_midi_names_the_file_in_errors(tmp_path):
    path = tmp_path / "song.mid"
    path.write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(Exception, match=r"^song\.mid: not a MIDI file: .* a ZIP archive"):
        read_midi(path)


def test_a_set_up_tracks_controllers_go_to_the_track_that_plays_the_channel():
    # A GM file's set-up track: bank, pedal, reverb and bends for the channel the next
    # track plays; they were dropped (the piano lost its pedal).
    setup = [Meta("track_name", name="Setup"),
             Msg("control_change", control=0, value=8), Msg("program_change", program=4),
             Msg("control_change", control=91, value=80),
             Msg("control_change", control=64, value=127),
             Msg("pitchwheel", pitch=512, time=100),
             Msg("control_change", control=64, value=0, time=1800),
             Msg("program_change", program=5, time=100)]  # after the first note: a change
    ep = [Meta("track_name", name="EP"), on(60, 0), off(60, 1900)]
    song = midi_from_bytes(midi_bytes([setup, ep]))
    (track,) = song.tracks
    assert track.name == "EP" and track.program == 4
    assert track.program_changes == (ProgramChange(2000, 5),)
    assert [(c.tick, c.kind, c.number, c.value) for c in track.controls] == [
        (0, "control_change", 0, 8), (0, "control_change", 91, 80),
        (0, "control_change", 64, 127), (100, "pitchwheel", 0, 512),
        (1900, "control_change", 64, 0)]


def test_type_0_channels_of_one_instrument_are_told_apart_by_channel():
    data = midi_bytes([[Meta("track_name", name="Song"),
                        Msg("program_change", program=48, channel=0),
                        Msg("program_change", program=48, channel=1),
                        Msg("program_change", program=0, channel=2),
                        on(60, 0, ch=0), on(64, 0, ch=1), on(67, 0, ch=2),
                        off(60, 480, ch=0), off(64, 0, ch=1), off(67, 0, ch=2)]], type=0)
    assert [t.name for t in midi_from_bytes(data).tracks] == [
        "String Ensemble 1 (ch 1)", "String Ensemble 1 (ch 2)", "Acoustic Grand Piano"]


def test_a_tracks_own_setting_beats_the_set_up_tracks_on_the_same_tick():
    setup = [Msg("control_change", control=7, value=50), Msg("program_change", program=40)]
    lead = [Msg("control_change", control=7, value=100), Msg("program_change", program=0),
            on(60, 0), off(60, 480)]
    (track,) = midi_from_bytes(midi_bytes([setup, lead])).tracks
    assert track.program == 0 and round(track.volume * 127) == 100
    assert [c.value for c in track.controls if c.number == 7] == [50, 100]  # 100 in force


def test_a_named_track_of_one_program_and_no_notes_is_an_empty_part():
    """A DAW's (or Partita's) empty part comes back as a track without notes; a set-up
    track, an anonymous one, and a sequencer's idle channel track still make none."""
    conductor = [Meta("track_name", name="Quartet")]
    violin = [Meta("track_name", name="Violin I"), Msg("program_change", program=40),
              on(76, 0), off(76, 480)]
    setup = [Meta("track_name", name="Setup"),  # for the violin's channel, which plays
             Msg("control_change", control=91, value=40)]
    cello = [Meta("track_name", name="Cello"),
             Msg("control_change", control=7, value=90, channel=3),
             Msg("program_change", program=42, channel=3)]
    anonymous = [Msg("program_change", program=41, channel=4)]
    idle = [Meta("track_name", name="MIDI Ch. 6"), Msg("program_change", program=1, channel=5),
            Msg("pitchwheel", pitch=100, channel=5, time=960)]
    data = midi_bytes([conductor, violin, setup, cello, anonymous, idle])
    song = midi_from_bytes(data)
    assert [(t.name, t.program, t.channel, len(t.notes)) for t in song.tracks] == [
        ("Violin I", 40, 0, 1), ("Cello", 42, 3, 0)]
    assert round(song.tracks[1].volume * 127) == 90
    assert song.tracks[0].controls[0].number == 91  # the set-up track's, as before
