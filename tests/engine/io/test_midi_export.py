"""MIDI export: layout, exact round trips, channel rules, atomic writes."""

from __future__ import annotations

import io
from dataclasses import replace

import mido
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.io import FileFormatError, midi_from_bytes, midi_to_bytes, write_midi
from engine.io.midi_export import export_channels, export_warnings
from engine.score import (
    DRUM_CHANNEL,
    ControlEvent,
    KeySignature,
    Marker,
    Note,
    ProgramChange,
    Song,
    TempoChange,
    TimeSignature,
    Track,
)
from engine.score.spelling import MIDI_KEYS
from tests.engine.io.midi_builders import midi_bytes


def full_song() -> Song:
    piano = Track("Piano ♪", 0, channel=0, volume=100 / 127, pan=-0.25, notes=(
        Note(60, 0, 480, 100), Note(60, 240, 480, 70),  # same-pitch overlap
        Note(64, 480, 0, 90), Note(64, 480, 240, 80),  # zero-length + same start
        Note(67, 960, 480, 127),
    ), program_changes=(ProgramChange(960, 5),), controls=(
        ControlEvent(0, "control_change", 7, 100), ControlEvent(10, "pitchwheel", 0, 8191),
        ControlEvent(20, "aftertouch", 0, 3), ControlEvent(30, "polytouch", 60, 4),
    ))
    drums = Track("Drums", 0, is_drum=True, channel=DRUM_CHANNEL,
                  notes=(Note(36, 0, 0, 110), Note(42, 0, 60, 80)))
    return Song(
        tracks=(piano, drums), ppq=384, title="Tëst",
        tempos=(TempoChange(0, 500_000), TempoChange(768, 400_000)),
        time_signatures=(TimeSignature(0, 3, 4), TimeSignature(1152, 7, 8)),
        key_signatures=(KeySignature(0, "Eb"),), markers=(Marker(384, "Chorus"),),
        length=4000,
    )


def test_export_keeps_the_music_of_a_song_made_in_partita():
    song = full_song()
    back = midi_from_bytes(midi_to_bytes(song))
    for a, b in zip(song.tracks, back.tracks, strict=True):
        assert (b.name, b.program, b.is_drum, b.channel, b.notes, b.program_changes) == (
            a.name, a.program, a.is_drum, a.channel, a.notes, a.program_changes)
        assert (b.volume, b.pan) == pytest.approx((a.volume, a.pan), abs=1 / 127)
    assert back.tracks[0].controls[1:] == song.tracks[0].controls  # + CC10 for the pan
    for field in ("ppq", "title", "tempos", "time_signatures", "key_signatures", "markers",
                  "length"):
        assert getattr(back, field) == getattr(song, field), field


def test_a_marker_locked_to_its_time_comes_back_locked_from_a_midi_file():
    # A film cue's hit point: a marker beside a cue point (MIDI's "something happening on
    # the screen here") at its tick, which every DAW shows as a marker; read back locked,
    # at the time the tempo map gives its tick, so a later tempo edit keeps it on its frame.
    song = replace(full_song(), markers=(Marker(384, "Chorus"), Marker(1000, "Hit", 1.2)))
    mf = mido.MidiFile(file=io.BytesIO(midi_to_bytes(song)))
    metas = [(m.type, m.text) for m in mf.tracks[0] if m.type in ("marker", "cue_marker")]
    assert metas == [("marker", "Chorus"), ("marker", "Hit"), ("cue_marker", "Hit")]
    back = midi_from_bytes(midi_to_bytes(song))
    assert [(m.tick, m.text, m.locked) for m in back.markers] == [
        (384, "Chorus", False), (1000, "Hit", True)]
    # 768 ticks at 0.5 s a beat, then 232 at 0.4 s: the tick's time, not the stored 1.2.
    assert back.markers[1].seconds == pytest.approx(1.0 + 232 / 384 * 0.4)


@pytest.mark.parametrize("key", sorted(MIDI_KEYS))
def test_every_key_a_midi_file_can_declare_is_written_and_read_back(key):
    # The key signature meta event (sharps or flats, major or minor), at bar 1 and as a
    # change later on: what a score editor shows as the key signature.
    song = Song(tracks=(Track("Lead", notes=(Note(60, 0, 480),)),),
                key_signatures=(KeySignature(0, key), KeySignature(1920, "Am")))
    mf = mido.MidiFile(file=io.BytesIO(midi_to_bytes(song)))
    assert [m.key for m in mf.tracks[0] if m.type == "key_signature"] == [key, "Am"]
    assert midi_from_bytes(midi_to_bytes(song)).key_signatures == song.key_signatures


def test_import_export_import_is_exact():
    song = midi_from_bytes(midi_to_bytes(full_song()))
    assert midi_from_bytes(midi_to_bytes(song)) == song


def test_layout_is_type_1_with_a_conductor_and_one_track_per_song_track():
    mf = mido.MidiFile(file=io.BytesIO(midi_to_bytes(full_song())), charset="utf-8")
    assert mf.type == 1 and mf.ticks_per_beat == 384 and len(mf.tracks) == 3
    assert {m.type for m in mf.tracks[0]} == {
        "track_name", "time_signature", "key_signature", "set_tempo", "marker", "end_of_track"}
    assert mf.tracks[1].name == "Piano ♪"  # names are written as UTF-8
    assert {m.channel for m in mf.tracks[2] if not m.is_meta} == {DRUM_CHANNEL}


def test_drum_tracks_go_to_channel_10_and_others_leave_it():
    tracks = [Track("Kit", is_drum=True, channel=0), Track("Bass", channel=DRUM_CHANNEL),
              Track("Keys", channel=1)]
    song = Song(tracks=tuple(t.with_notes([Note(40, 0, 10)]) for t in tracks))
    assert export_channels(song.tracks) == [DRUM_CHANNEL, 0, 1]  # 0 is free: the kit moved
    back = midi_from_bytes(midi_to_bytes(song))
    assert [(t.is_drum, t.channel) for t in back.tracks] == [(True, 9), (False, 0), (False, 1)]


def test_volume_and_pan_are_written_when_not_default():
    song = Song(tracks=(Track("A", volume=0.5, pan=1.0, notes=(Note(60, 0, 10),)),))
    back = midi_from_bytes(midi_to_bytes(song)).tracks[0]
    assert back.volume == pytest.approx(0.5, abs=1 / 127) and back.pan == 1.0


def test_nested_same_pitch_notes_keep_their_starts_and_ends():
    # MIDI cannot say which note-off ends which of two nested same-pitch notes: FIFO
    # pairing matches them the other way, but every start and end survives.
    song = Song(tracks=(Track(notes=(Note(60, 0, 100), Note(60, 10, 20))),))
    back = midi_from_bytes(midi_to_bytes(song)).tracks[0].notes
    assert sorted(n.start for n in back) == [0, 10]
    assert sorted(n.end for n in back) == [30, 100]


@pytest.mark.parametrize("bad", [
    Song(ppq=40_000),
    Song(tracks=(Track(notes=(Note(60, 0, 1),),
                       controls=(ControlEvent(0, "control_change", 1, 300),)),)),
    Song(tracks=(Track(notes=(Note(60, 0, 1),), controls=(ControlEvent(0, "sysex", 0, 0),)),)),
    # A delta time holds at most 0x0FFFFFFF ticks: a later one would make a file that no
    # reader (ours included) can read back.
    Song(length=0x0FFFFFFF + 1),
    Song(tracks=(Track(notes=(Note(60, 0x0FFFFFFF + 1, 1),)),)),
    Song(tracks=(Track(notes=(Note(60, 0, 0x0FFFFFFF + 1),)),)),
])
def test_unwritable_songs_fail_cleanly_and_leave_no_file(bad, tmp_path):
    path = tmp_path / "out.mid"
    with pytest.raises(FileFormatError, match=r"^out\.mid: cannot write MIDI: "):
        write_midi(bad, path)
    assert list(tmp_path.iterdir()) == []


def test_the_longest_gaps_midi_can_hold_are_written_and_read_back():
    note = Note(60, 0x0FFFFFFF, 0x0FFFFFFF)  # ends at twice the longest gap
    back = midi_from_bytes(midi_to_bytes(Song(tracks=(Track(notes=(note,)),))))
    assert back.tracks[0].notes == (note,)
    assert midi_from_bytes(midi_to_bytes(Song(length=0x0FFFFFFF))).length == 0x0FFFFFFF


def test_a_song_with_too_long_a_gap_does_not_replace_a_good_file(tmp_path):
    path = tmp_path / "out.mid"
    write_midi(full_song(), path)
    before = path.read_bytes()
    with pytest.raises(FileFormatError, match=r"^out\.mid: cannot write MIDI: .*at most "
                       r"268,435,455"):
        write_midi(Song(length=2**40), path)
    assert path.read_bytes() == before


def test_a_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "out.mid"
    write_midi(full_song(), path)
    before = path.read_bytes()
    with pytest.raises(FileFormatError):
        write_midi(Song(ppq=40_000), path)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


# Any stream of note events on one channel: (delta, pitch, is_on, velocity).
events = st.lists(
    st.tuples(st.integers(0, 3), st.integers(60, 62), st.booleans(), st.integers(1, 127)),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(events)
def test_any_imported_note_stream_survives_export_exactly(stream):
    # Whatever a file does with overlaps, zero lengths and equal ticks, what we imported
    # is what we export and import again.
    msgs = [mido.Message("note_on" if is_on else "note_off", note=p, velocity=v, time=dt)
            for dt, p, is_on, v in stream]
    song = midi_from_bytes(midi_bytes([msgs]))
    assert midi_from_bytes(midi_to_bytes(song)) == song


def test_volume_and_pan_conversions_are_exact_for_every_controller_value():
    from engine.io.midi_import import cc_to_pan, cc_to_volume, pan_to_cc, volume_to_cc

    assert [pan_to_cc(cc_to_pan(v)) for v in range(128)] == list(range(128))
    assert [volume_to_cc(cc_to_volume(v)) for v in range(128)] == list(range(128))
    assert (cc_to_pan(0), cc_to_pan(64), cc_to_pan(127)) == (-1.0, 0.0, 1.0)


def played(track: Track, channel: int, pitch: int = 60) -> Track:
    return replace(track, channel=channel, notes=(Note(pitch, 0, 480),))


def channels_in_file(song: Song) -> dict[str, set[int]]:
    """Each MIDI track's name → the channels its channel messages use."""
    mf = mido.MidiFile(file=io.BytesIO(midi_to_bytes(song)))
    return {t.name: {m.channel for m in t if not m.is_meta} for t in mf.tracks[1:]}


def test_a_track_without_notes_takes_no_channel_a_track_with_notes_needs():
    tracks = [played(Track(f"T{c}", program=c), c) for c in range(9)]
    tracks.insert(3, Track("Empty", program=40, channel=5))
    tracks += [played(Track(f"T{c}", program=c), c) for c in range(10, 16)]
    tracks.append(played(Track("Late", program=70), 0))  # needs Empty's channel... none
    song = Song(tracks=tuple(tracks))
    assert export_channels(song.tracks)[3] is None
    written = channels_in_file(song)
    assert "Empty" not in written and len(written) == 16
    # 15 pitched tracks + Late: Late must share, and no channel is lost to Empty.
    assert sorted(c for cs in written.values() for c in cs if c != 0) == \
        [c for c in range(1, 16) if c != DRUM_CHANNEL]


def test_a_channel_taken_by_another_instrument_moves_to_a_free_one():
    # As `partita compose` makes them: 15 pitched tracks, then two more back on channel 1,
    # and two empty ones between.
    programs = [0, 33, 48, 73, 68, 71, 60, 56, 40, 41, 42, 25, 19, 46, 52, 65, 12]
    tracks = [Track(f"P{p}", program=p, channel=c)
              for p, c in zip(programs, [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15,
                                         0, 0], strict=True)]
    tracks = [t if t.program in (40, 42) else played(t, t.channel) for t in tracks]
    song = Song(tracks=(*tracks, played(Track("Drums", is_drum=True), DRUM_CHANNEL, 36)))
    channels = export_channels(song.tracks)
    written = [c for c in channels if c is not None]
    assert len(written) == len(set(written)) == 16  # every instrument has its own channel
    assert channels[-3:-1] == [8, 11]  # the channels the empty tracks no longer hold
    assert export_warnings(song) == [  # no channel shared; the empty tracks are said
        "tracks 'P40', 'P42' have no notes and no MIDI channel is left for them: a MIDI "
        "file keeps an empty track only on a channel of its own (save a .partita project "
        "to keep them)"]
    back = midi_from_bytes(midi_to_bytes(song))
    assert [t.program for t in back.tracks] == [p for p in programs if p not in (40, 42)] + [0]


def test_when_channels_run_out_tracks_of_one_instrument_share_first():
    pitched = [played(Track(f"T{p}", program=p), c)
               for c, p in zip([c for c in range(16) if c != DRUM_CHANNEL], range(15),
                               strict=True)]
    second_piano = played(Track("Piano 2", program=0), 3)  # channel 3 is T3's: it must move
    song = Song(tracks=(*pitched, second_piano))
    channels = export_channels(song.tracks)
    assert channels[-1] == channels[0] == 0  # the two pianos share, losing nothing
    assert len(set(channels)) == 15 and export_warnings(song) == []


def test_sharing_a_channel_between_instruments_is_warned_about(tmp_path):
    pitched = [played(Track(f"T{p}", program=p), c)
               for c, p in zip([c for c in range(16) if c != DRUM_CHANNEL], range(0, 120, 8),
                               strict=True)]
    song = Song(tracks=(*pitched, played(Track("Lead", program=81), 0)))
    channels = export_channels(song.tracks)
    assert channels[-1] == channels[10] == 11  # shared with T80, of the same family
    warnings = write_midi(song, tmp_path / "song.mid")
    assert len(warnings) == 1
    assert "channel 12" in warnings[0] and "'T80', 'Lead'" in warnings[0]


def test_a_velocity_0_note_is_written_as_velocity_1():
    # A note_on of velocity 0 is a note-off: it would end the long C early and vanish.
    notes = (Note(60, 0, 960, 80), Note(60, 480, 240, 0), Note(64, 0, 960, 90))
    back = midi_from_bytes(midi_to_bytes(Song(tracks=(Track(notes=notes),)))).tracks[0]
    assert sorted((n.start, n.pitch, n.velocity) for n in back.notes) == [
        (0, 60, 80), (0, 64, 90), (480, 60, 1)]
    assert sorted(n.end for n in back.notes) == [720, 960, 960]  # FIFO: see nested notes


def test_what_a_midi_file_cannot_hold_is_said_by_name():
    song = Song(tracks=(
        Track("Kick", is_drum=True, channel=DRUM_CHANNEL, mute=True,
              notes=(Note(36, 0, 120),)),
        Track("Lead", channel=1, solo=True, notes=(Note(72, 0, 480),)),
        Track("Pad", channel=2),  # no notes yet: kept, on a channel of its own
    ))
    assert export_warnings(song) == [
        "track 'Kick' is muted: a MIDI file has no mute, so it will play (save a .partita "
        "project to keep mute and solo)",
        "track 'Lead' is soloed: a MIDI file has no solo, so every track will play (save a "
        ".partita project to keep mute and solo)"]


def test_tracks_at_different_levels_do_not_share_a_channel():
    """Volume and pan are per channel: two pianos on channel 1 at 30 and 100 would both
    play at whichever CC7 came last, so the second moves to a free channel."""
    a = Track("Piano L", channel=0, volume=30 / 127, notes=(Note(60, 0, 480),))
    b = Track("Piano R", channel=0, volume=100 / 127, notes=(Note(64, 0, 480),))
    c = Track("Piano R2", channel=0, volume=100 / 127, notes=(Note(67, 0, 480),))
    channels = export_channels((a, b, c))
    assert channels[0] == 0 and channels[1] == channels[2] != 0
    back = midi_from_bytes(midi_to_bytes(Song(tracks=(a, b, c))))
    assert sorted(round(t.volume * 127) for t in back.tracks) == [30, 100, 100]


def test_tracks_move_to_free_channels_with_their_own_channel_mates_only():
    """Piano A and Organ C shared channel 1, Piano B and Organ D channel 2: with channels
    free, the organs move to two channels (they never shared one)."""
    tracks = [Track(name, program=p, channel=c, notes=(Note(60, 0, 480),))
              for name, p, c in (("PianoA", 0, 0), ("PianoB", 0, 1), ("OrganC", 19, 0),
                                 ("OrganD", 19, 1))]
    channels = export_channels(tracks)
    assert channels[:2] == [0, 1] and len(set(channels)) == 4
    kit = (Track("Kick", is_drum=True, channel=DRUM_CHANNEL, notes=(Note(36, 0, 60),)),
           Track("Snare", is_drum=True, channel=DRUM_CHANNEL, volume=0.5,
                 notes=(Note(38, 0, 60),)))
    assert export_warnings(Song(tracks=kit)) == [
        "MIDI channel 10 is shared by tracks 'Kick', 'Snare' with different volume or pan: "
        "a General MIDI player plays them all with the volume and pan sent last (MIDI has "
        "16 channels, one for drums; save a .partita project to keep every track's own)"]


def test_every_track_ends_at_the_end_of_the_song(tmp_path):
    # A DAW makes each track's clip as long as its track chunk: they all end together.
    import mido

    from engine.io import read_midi, save_song
    from engine.score import Note, Song, Track

    song = Song((Track("Long", notes=(Note(60, 0, 7680),)),
                 Track("Short", channel=1, notes=(Note(64, 0, 480),))), ppq=480)
    save_song(song, tmp_path / "s.mid")
    mf = mido.MidiFile(tmp_path / "s.mid")
    assert [sum(m.time for m in t) for t in mf.tracks[1:]] == [7680, 7680]
    assert read_midi(tmp_path / "s.mid").length == song.length  # no length made up
    # A track whose end is further than MIDI can say from its last event ends there.
    far = Song((Track("Short", notes=(Note(60, 0, 10),)),
                Track("Far", channel=1, notes=(Note(62, 0x0FFFFFFF, 0x0FFFFFFF),))), ppq=480)
    save_song(far, tmp_path / "far.mid")
    assert read_midi(tmp_path / "far.mid").tracks[1].notes == far.tracks[1].notes


def test_a_meters_grouping_is_said_to_be_lost_and_reads_back_as_the_default():
    song = Song((Track("Clarinet", 71, notes=(Note(69, 0, 240),)),), ppq=480,
                time_signatures=(TimeSignature(0, 7, 8, (3, 2, 2)), TimeSignature(3360, 7, 8),
                                 TimeSignature(6720, 6, 8, (2, 2, 2))))
    assert export_warnings(song) == [
        "meters 3+2+2/8, 2+2+2/8: a MIDI file has no beat grouping, so read back they count "
        "the usual beats (7/8 as 2+2+3, 6/8 as 3+3; save a .partita project to keep the "
        "grouping)"]  # each meter's own usual counting (8/8's was said as 7/8's)
    back = midi_from_bytes(midi_to_bytes(song))
    assert [(s.tick, s.text) for s in back.time_signatures] == [
        (0, "7/8"), (3360, "7/8"), (6720, "6/8")]
    assert back.time_signatures[0].pulses == (2, 2, 3)
    assert export_warnings(Song(time_signatures=(TimeSignature(0, 7, 8),))) == []


def test_an_empty_part_is_written_and_read_back_with_its_name_and_instrument():
    """A string quartet with only the first violin written: the other three parts come
    back from the MIDI file, named, on their instruments, at their levels, in order."""
    violin = Track("Violin I", program=40, channel=0, notes=(Note(76, 0, 480),))
    song = Song(tracks=(
        violin,
        Track("Violin II", program=40, channel=0),  # the first violin's channel: moves
        Track("Viola", program=41, channel=2, volume=100 / 127, pan=-0.5),
        Track("Cello", program=42, channel=3),
        Track("Brushes", is_drum=True, program=40, channel=DRUM_CHANNEL),
    ))
    assert export_warnings(song) == []
    back = midi_from_bytes(midi_to_bytes(song))
    assert [(t.name, t.program, t.is_drum, len(t.notes)) for t in back.tracks] == [
        ("Violin I", 40, False, 1), ("Violin II", 40, False, 0), ("Viola", 41, False, 0),
        ("Cello", 42, False, 0), ("Brushes", 40, True, 0)]
    viola = back.tracks[2]
    assert (viola.channel, round(viola.volume * 127), viola.pan) == (2, 100, -0.5)
    assert len({t.channel for t in back.tracks}) == 5  # each on a channel of its own
    assert midi_from_bytes(midi_to_bytes(back)).tracks == back.tracks  # and again


def test_an_empty_track_holds_only_its_name_and_sound():
    pad = Track("Pad", program=89, channel=2, volume=0.5,
                controls=(ControlEvent(0, "control_change", 0, 1),
                          ControlEvent(480, "control_change", 64, 127)),
                program_changes=(ProgramChange(960, 90),))
    song = Song(tracks=(pad,))
    written = mido.MidiFile(file=io.BytesIO(midi_to_bytes(song))).tracks[1]
    # Volume and bank at its start, its program; not the pedal or the later change.
    assert [(m.type, getattr(m, "control", None), m.time) for m in written] == [
        ("track_name", None, 0), ("control_change", 7, 0), ("control_change", 0, 0),
        ("program_change", None, 0), ("end_of_track", None, 0)]
    back = midi_from_bytes(midi_to_bytes(song)).tracks[0]
    assert (back.name, back.program, back.volume, back.notes) == ("Pad", 89, 64 / 127, ())
