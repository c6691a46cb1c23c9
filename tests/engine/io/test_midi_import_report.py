"""The import report: what a MIDI file holds that its song does not keep."""

from __future__ import annotations

import mido
import pytest

from engine.io import ImportReport, read_midi, read_midi_with_report


def write(path, *messages) -> None:
    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    mf.tracks.append(mido.MidiTrack([*messages, mido.Message("note_on", note=60, velocity=90),
                                     mido.Message("note_off", note=60, time=480)]))
    mf.save(path)


def test_counts_each_kind_of_dropped_event(tmp_path):
    path = tmp_path / "song.kar"
    write(path, mido.MetaMessage("copyright", text="(c)"), mido.MetaMessage("text", text="@K"),
          mido.MetaMessage("lyrics", text="a"), mido.MetaMessage("lyrics", text="b"),
          mido.MetaMessage("cue_marker", text="go"),
          mido.MetaMessage("sequencer_specific", data=[0x43, 1]),
          mido.Message("sysex", data=[0x7E, 0x7F, 0x09, 0x01]))
    song, report = read_midi_with_report(path)
    assert song == read_midi(path)  # one reader
    # "a" is sung on the note at tick 0 (Note.lyric); "b", with no note left, is dropped.
    assert report.summary() == ("text (1), copyright (1), lyrics (1), "
                                "sequencer-specific data (1), sysex (1)")
    # A cue point is a hit point, kept as a marker locked to its time.
    assert [(m.text, m.locked) for m in song.markers] == [("go", True)]
    assert report


def test_a_file_with_only_music_reports_nothing(tmp_path):
    path = tmp_path / "plain.mid"
    write(path, mido.MetaMessage("track_name", name="Piano"), mido.MetaMessage("set_tempo"))
    _, report = read_midi_with_report(path)
    assert report == ImportReport() and not report and report.summary() == ""
    assert report.unplayed is None


def test_counts_controllers_sent_to_channels_no_track_plays_port_and_smpte_offset(tmp_path):
    path = tmp_path / "gm.mid"
    write(path, mido.MetaMessage("midi_port", port=1),
          mido.MetaMessage("smpte_offset", hours=0, minutes=0, seconds=3),
          mido.Message("program_change", program=48, channel=5),  # channel 6: no notes
          mido.Message("control_change", control=7, value=100, channel=5),
          mido.Message("control_change", control=7, value=90, channel=0))  # played: kept
    _, report = read_midi_with_report(path)
    assert report.summary() == ("controllers and programs of channels without notes (2), "
                                "MIDI port (1), "
                                "SMPTE offset (1)")
    # Said by kind and channel when the file is read (a musician misses bends, not events).
    assert report.unplayed.text() == (
        "1 program change and 1 controller on MIDI channels with no notes (6) were dropped: "
        "no track plays there to hold them")
    assert report.summary(unplayed=False) == "MIDI port (1), SMPTE offset (1)"


def test_the_channels_without_notes_are_counted_by_kind(tmp_path):
    path = tmp_path / "setup.mid"
    write(path, *(mido.Message("pitchwheel", pitch=p, channel=c) for c in (3, 4, 5, 7)
                  for p in (100, 0)),
          mido.Message("program_change", program=30, channel=7),
          mido.Message("aftertouch", value=10, channel=7))
    _, report = read_midi_with_report(path)
    assert report.unplayed.text() == (
        "8 pitch bends, 1 program change and 1 aftertouch message on MIDI channels with no "
        "notes (4–6 and 8) were dropped: no track plays there to hold them")


def test_type_2_patterns_with_tempos_of_their_own_are_reported(tmp_path):
    mf = mido.MidiFile(type=2, ticks_per_beat=480)
    for bpm in (120, 240):
        mf.tracks.append(mido.MidiTrack([
            mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)),
            mido.Message("note_on", note=60, velocity=90),
            mido.Message("note_off", note=60, time=480)]))
    mf.save(tmp_path / "patterns.mid")
    _, report = read_midi_with_report(tmp_path / "patterns.mid")
    assert report.summary() == "pattern tempos (type 2 file) (2)"


def band_with_a_kit_on_channel_3(path) -> None:
    """A DAW's export: the kit on channel 3 (a sampler's), beside a real kit on 10."""
    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    for name, channel, program in (("Piano", 0, 0), ("Drums", 2, 0), ("Drum Kit", 9, 0),
                                   ("Percussion", 4, 12), ("Steel Drums", 5, 114),
                                   ("perc kit", 6, 33)):
        mf.tracks.append(mido.MidiTrack([
            mido.MetaMessage("track_name", name=name),
            mido.Message("program_change", program=program, channel=channel),
            mido.Message("note_on", note=36, velocity=90, channel=channel),
            mido.Message("note_off", note=36, time=480, channel=channel)]))
    mf.save(path)


def test_a_track_named_as_drums_off_channel_10_is_said_to_be_pitched(tmp_path):
    path = tmp_path / "band.mid"
    band_with_a_kit_on_channel_3(path)
    song, report = read_midi_with_report(path)
    # The GM rule stands (channel 3 is pitched), but the name says drums: a hint. A real
    # kit, a "Percussion" track of marimba and steel drums are what they are named.
    assert [(k.number, k.name, k.channel) for k in report.pitched_kits] == [
        (2, "Drums", 2), (6, "perc kit", 6)]
    assert not song.tracks[1].is_drum and song.tracks[2].is_drum
    assert report.pitched_kits[0].text() == (
        "track 2 'Drums' is named as drums but is on channel 3, so it was imported as a "
        "pitched instrument (Acoustic Grand Piano): General MIDI plays drums on channel 10 "
        "only")
    assert not report and report.summary() == ""  # nothing dropped: no question on saving


def two_instruments_on_channel_6(path) -> None:
    """openmsx-5.mid's case: a sax and a guitar track on one channel, both programs at
    tick 0 (a player plays both as the guitar, sent last), the bends in the guitar's."""
    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    for name, program, bends in (("Sax", 66, 0), ("Organ", 16, 0), ("Guitar", 26, 3)):
        channel = 1 if name == "Organ" else 5
        mf.tracks.append(mido.MidiTrack([
            mido.MetaMessage("track_name", name=name),
            mido.Message("program_change", program=program, channel=channel),
            *[mido.Message("pitchwheel", pitch=100 * (b + 1), channel=channel)
              for b in range(bends)],
            mido.Message("note_on", note=60, velocity=90, channel=channel),
            mido.Message("note_off", note=60, time=480, channel=channel)]))
    mf.save(path)


def test_tracks_sharing_a_channel_with_different_programs_are_said(tmp_path):
    path = tmp_path / "shared.mid"
    two_instruments_on_channel_6(path)
    song, report = read_midi_with_report(path)
    assert [t.program for t in song.tracks] == [66, 16, 26]  # each keeps its own
    (shared,) = report.shared_channels
    assert shared.channel == 5 and shared.played == 26
    assert shared.moved == (("Guitar", 0),)  # the first free channel, as export writes it
    assert shared.text() == (
        "tracks 'Sax' (Tenor Sax) and 'Guitar' (Electric Guitar (jazz)) share MIDI channel "
        "6 in the file, where a player plays them all as Electric Guitar (jazz) (the "
        "program sent last), with one set of pitch bends, volume and pan; Partita gives "
        "each track its own program and controllers (pitch bends: 'Guitar' 3), so they may "
        "sound different from the file, and a MIDI file it writes puts 'Guitar' on "
        "channel 1")
    assert not report  # nothing dropped: saving over the file asks nothing


def test_the_program_a_player_plays_is_the_one_sent_last_in_the_file(tmp_path):
    # The guitar's track sends two programs at one tick, 26 then 24: a player ends on 24,
    # whatever their numbers.
    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    for name, programs in (("Sax", (66,)), ("Guitar", (26, 24))):
        mf.tracks.append(mido.MidiTrack([
            mido.MetaMessage("track_name", name=name),
            *[mido.Message("program_change", program=p, channel=5) for p in programs],
            mido.Message("note_on", note=60, velocity=90, channel=5),
            mido.Message("note_off", note=60, time=480, channel=5)]))
    mf.save(tmp_path / "shared.mid")
    _, report = read_midi_with_report(tmp_path / "shared.mid")
    (shared,) = report.shared_channels
    assert shared.played == 24


def test_tracks_sharing_a_channel_with_one_sound_are_not_said(tmp_path):
    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    for name in ("Violin 1", "Violin 2"):  # one instrument, one channel: nothing changes
        mf.tracks.append(mido.MidiTrack([
            mido.MetaMessage("track_name", name=name),
            mido.Message("program_change", program=40, channel=3),
            mido.Message("note_on", note=67, velocity=90, channel=3),
            mido.Message("note_off", note=67, time=480, channel=3)]))
    mf.save(tmp_path / "violins.mid")
    _, report = read_midi_with_report(tmp_path / "violins.mid")
    assert report.shared_channels == ()


def test_a_midi_guitars_strings_read_as_six_tracks_suggest_the_merge(tmp_path):
    # A guitarist's QA: one MIDI track, a string a channel, became six tracks unsaid.
    from tests.engine.io.midi_builders import midi_guitar

    path = tmp_path / "gtr.mid"
    path.write_bytes(midi_guitar())
    song, report = read_midi_with_report(path)
    assert len(song.tracks) == 6
    (split,) = report.split
    assert split.numbers == (1, 2, 3, 4, 5, 6) and split.channels == (0, 1, 2, 3, 4, 5)
    assert split.text() == (
        "6 channels of one MIDI track 'Lead Gtr' (Overdriven Guitar, channels 1–6) were "
        "read as 6 tracks (tracks 1–6), as a MIDI guitar sends each string on a channel "
        "of its own")
    assert not report  # a hint, nothing dropped


def test_channels_of_different_sounds_in_one_track_are_no_split_instrument():
    from engine.io.midi_import import split_instruments
    from engine.io.smf import parse_smf
    from tests.engine.io.midi_builders import midi_bytes, off, on

    data = midi_bytes([[mido.Message("program_change", program=48, channel=0),
                        mido.Message("program_change", program=0, channel=1),
                        on(60, 0, ch=0), on(64, 0, ch=1), off(60, 480, ch=0),
                        off(64, 0, ch=1)]], type=0)
    smf = parse_smf(data)
    from engine.io.midi_import import song_from_smf

    assert split_instruments(song_from_smf(smf), smf) == ()


@pytest.mark.parametrize("channels", [(0, 6, 7, 11), (3, 5), (2, 3, 4)])
def test_parts_of_a_type_0_file_sharing_a_sound_are_no_midi_guitar(channels):
    """Docs QA: a game score's three string parts on channels 1, 7, 8 and 12 (and two
    pianos on 4 and 6) were offered to merge as a MIDI guitar's strings. Only four or more
    channels in a row are."""
    from engine.io.midi_import import song_from_smf, split_instruments
    from engine.io.smf import parse_smf
    from tests.engine.io.midi_builders import midi_bytes, off, on

    events = [mido.Message("program_change", program=48, channel=ch) for ch in channels]
    for ch in channels:
        events += [on(48 + 12 * (ch % 3), 0, ch=ch), off(48 + 12 * (ch % 3), 240, ch=ch)]
    smf = parse_smf(midi_bytes([events], type=0))
    assert split_instruments(song_from_smf(smf), smf) == ()
