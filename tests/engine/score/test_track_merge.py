"""Merge Tracks: a MIDI guitar's six string-tracks made one guitar, and what one channel
cannot keep of them said."""

from __future__ import annotations

import pytest

from engine.score import ControlEvent, EditError, Note, Song, Track
from engine.score.track_merge import merge_tracks

RANGE = (ControlEvent(0, "control_change", 101, 0), ControlEvent(0, "control_change", 100, 0),
         ControlEvent(0, "control_change", 6, 12))  # a ±12 bend range, as a guitar sends


def strings(bends: bool = True) -> Song:
    return Song(tracks=tuple(
        Track(f"Lead Gtr (Overdriven Guitar) (ch {i + 1})", 29, channel=i,
              notes=(Note(64 - 5 * i, i * 120, 400),),
              controls=RANGE + ((ControlEvent(i * 120 + 100, "pitchwheel", 0, 500 * (i + 1)),)
                                if bends else ()))
        for i in range(6)))


def test_six_strings_become_one_guitar_in_one_undo_step():
    song = strings(bends=False)
    merge = merge_tracks(song, [t.id for t in song.tracks])
    after = merge.edit.apply(song)
    (guitar,) = after.tracks
    assert guitar.id == song.tracks[0].id and guitar.channel == 0 and guitar.program == 29
    # The MIDI track's own name: not the importer's "(ch 1)", nor the instrument it added
    # to tell the channels apart (the studio's header showed "uitar (Electric Guitar …").
    assert guitar.name == "Lead Gtr" and merge.into == "Lead Gtr"
    assert sorted(n.pitch for n in guitar.notes) == [39, 44, 49, 54, 59, 64]
    assert guitar.controls == RANGE  # the bend range all strings sent: kept once
    assert not merge.dropped and merge.shared == 3
    assert "no pitch bends or controllers lost" in merge.text()
    assert merge.edit.inverse().apply(after) == song  # one undo brings the six back


def test_strings_bent_apart_lose_their_bends_and_say_how_many():
    song = strings()
    merge = merge_tracks(song, [t.id for t in song.tracks])
    assert merge.dropped == (("pitchwheel", 6),)
    assert merge.lost == "6 pitch bends"
    assert "one string's bend would bend every string" in merge.why_lost()
    (guitar,) = merge.edit.apply(song).tracks
    assert guitar.controls == RANGE  # no bend of one string left to bend the others
    assert "dropped 6 pitch bends that differed between them" in merge.text()


def test_bends_every_track_sends_alike_are_kept():
    bend = ControlEvent(100, "pitchwheel", 0, 800)
    song = Song(tracks=(Track("A", notes=(Note(60, 0, 480),), controls=(bend,)),
                        Track("B", channel=1, notes=(Note(64, 0, 480),), controls=(bend,))))
    merge = merge_tracks(song, [t.id for t in song.tracks])
    assert not merge.dropped
    assert merge.edit.apply(song).tracks[0].controls == (bend,)
    assert merge.edit.apply(song).tracks[0].name == "A"  # a name the user gave stays


def test_the_first_tracks_instrument_and_mix_are_the_merged_tracks():
    bank = ControlEvent(0, "control_change", 0, 8)
    song = Song(tracks=(
        Track("Gtr", 30, notes=(Note(60, 0, 480),), controls=(bank,), volume=0.5),
        Track("Keys", 4, channel=1, notes=(Note(64, 0, 480),),
              controls=(ControlEvent(0, "control_change", 7, 100),))))
    merge = merge_tracks(song, [t.id for t in song.tracks])
    assert not merge.dropped  # bank, volume and pan are the first track's sound, not lost
    (gtr,) = merge.edit.apply(song).tracks
    assert gtr.controls == (bank,) and gtr.volume == 0.5 and gtr.program == 30
    assert merge.other_sounds == ("Keys",)
    assert "'Keys' now plays as Distortion Guitar" in merge.text()


def test_one_pitch_on_two_tracks_at_once_is_settled_as_the_piano_roll_does():
    song = Song(tracks=(
        Track("A", notes=(Note(64, 0, 480, 80), Note(60, 0, 0))),  # a zero-length note
        Track("B", channel=1, notes=(Note(64, 0, 240, 100), Note(64, 960, 480),
                                     Note(67, 100, 100)))))
    merge = merge_tracks(song, [t.id for t in song.tracks])
    notes = {(n.pitch, n.start, n.duration, n.velocity)
             for n in merge.edit.apply(song).tracks[0].notes}
    # the unison: one note, the longer at the louder; pitches no two tracks share untouched
    assert notes == {(64, 0, 480, 100), (60, 0, 0, 96), (64, 960, 480, 96), (67, 100, 100, 96)}
    assert merge.settled == 2


def test_a_kit_is_not_merged_with_a_pitched_track_and_one_track_is_no_merge():
    song = Song(tracks=(Track("Drums", is_drum=True, channel=9, notes=(Note(36, 0, 10),)),
                        Track("Bass", 33, notes=(Note(40, 0, 480),))))
    with pytest.raises(EditError, match="'Drums' is a drum kit"):
        merge_tracks(song, [t.id for t in song.tracks])
    with pytest.raises(EditError, match="two or more"):
        merge_tracks(song, [song.tracks[1].id])


def test_split_channels_of_an_unnamed_midi_track_keep_their_instrument_s_name():
    song = Song(tracks=tuple(Track(f"Electric Guitar (clean) (ch {i + 1})", 27, channel=i,
                                   notes=(Note(60 + i, 0, 100),)) for i in range(2)))
    merge = merge_tracks(song, [t.id for t in song.tracks])
    assert merge.into == "Electric Guitar (clean)"
    # Tracks the user named alike, not split by the importer: the first's name, as it is.
    song = Song(tracks=tuple(Track("Gtr (Electric Guitar (clean))", 27, channel=i,
                                   notes=(Note(60 + i, 0, 100),)) for i in range(2)))
    assert merge_tracks(song, [t.id for t in song.tracks]).into == \
        "Gtr (Electric Guitar (clean))"
