"""The song model: canonical order, equality without ids, lookups, validation."""

from dataclasses import replace

import pytest

from engine.score import (
    KeySignature,
    Note,
    Song,
    TempoChange,
    TimeSignature,
    Track,
    clamp_velocity,
)


def test_notes_are_kept_in_canonical_order_and_equality_ignores_ids():
    a = Track("Lead", notes=(Note(64, 480, 240), Note(60, 0, 480)))
    b = Track("Lead", notes=(Note(60, 0, 480), Note(64, 480, 240)))
    assert [n.pitch for n in a.notes] == [60, 64]
    assert a == b and a.id != b.id


def test_a_velocity_played_shifted_or_scaled_is_kept_sounding():
    # 0 would be a note-off, above 127 no MIDI velocity: kept audible, at most the loudest.
    assert [clamp_velocity(v) for v in (-40, 0, 1, 64, 127, 128, 300)] == [
        1, 1, 1, 64, 127, 127, 127]
    Note(60, 0, 1, velocity=clamp_velocity(200))  # a valid note


def test_song_fills_in_default_tempo_and_meter_at_zero():
    s = Song(tempos=(TempoChange(960, 600_000),), time_signatures=(TimeSignature(1920, 3, 4),))
    assert s.tempos[0].tick == 0 and s.tempos[0].us_per_beat == 500_000
    assert s.time_signatures[0] == TimeSignature(0, 4, 4)


@pytest.mark.parametrize(
    "make", [lambda: Note(128, 0, 1), lambda: Note(60, -1, 1), lambda: Note(60, 0, 1, velocity=200),
             lambda: Track(program=130), lambda: Track(channel=16), lambda: Song(ppq=0)],
)
def test_invalid_values_are_rejected(make):
    with pytest.raises(ValueError):
        make()


def test_find_track_by_number_and_name():
    s = Song(tracks=(Track("Piano"), Track("Bass"), Track("bass")))
    assert s.find_track("1").name == "Piano"
    assert s.find_track("piano").name == "Piano"
    with pytest.raises(KeyError, match="2 tracks"):
        s.find_track("BASS")
    with pytest.raises(KeyError, match="out of range"):
        s.find_track("9")


def test_a_track_named_as_a_number_is_found_by_its_name_and_hash_forces_a_number():
    s = Song(tracks=(Track("Drums"), Track("808"), Track("Keys"), Track("2")))
    assert s.find_track("808").name == "808"  # not "track number 808 is out of range"
    assert s.find_track("2").name == "2"  # the name wins over track number 2
    assert s.find_track("#2").name == "808" and s.find_track("# 4").name == "2"
    assert s.find_track(2).name == "808"  # a number from code is a number
    assert s.find_track("3").name == "Keys"  # a number that names nothing: the number
    with pytest.raises(KeyError, match=r"out of range 1\.\.4 \(and no track is named so\)"):
        s.find_track("9")
    with pytest.raises(KeyError) as forced:
        s.find_track("#9")
    assert forced.value.args[0] == "track number 9 is out of range 1..4"
    with pytest.raises(KeyError, match=r"2 tracks are named '808'.*#N"):
        Song(tracks=(Track("808"), Track("808"))).find_track("808")


def test_names_match_in_any_unicode_form_and_case_and_odd_digits_are_names():
    s = Song(tracks=(Track("Flöte"), Track("Straße"), Track("ピアノ")))
    assert s.find_track("Flo\u0308te").name == "Flöte"  # typed on macOS: NFD
    assert s.find_track("STRASSE").name == "Straße"  # casefold, not lower
    assert s.find_track("２").name == "Straße"  # a full-width digit is a number
    for odd in ("①", "²", "#①"):  # digits int() refuses: were a ValueError traceback
        with pytest.raises(KeyError, match="no track named"):
            s.find_track(odd)


def test_a_rename_stores_the_name_in_one_unicode_form():
    from engine.score import set_track_props

    song = Song(tracks=(Track("Flute"),))
    renamed = set_track_props(song, song.tracks[0].id, name="Flo\u0308te").apply(song)
    assert renamed.tracks[0].name == "Flöte" == "Fl\u00f6te"


def test_end_and_note_count():
    s = Song(tracks=(Track(notes=(Note(60, 0, 480), Note(62, 900, 100))),), length=480)
    assert s.end == 1000 and s.note_count == 2
    # A set length past the notes is the song's end, not where its notes end.
    padded = Song(tracks=s.tracks, length=8 * 480)
    assert (padded.end, padded.notes_end, Song(length=960).notes_end) == (8 * 480, 1000, 0)


def test_a_tracks_end_follows_its_notes_through_edits():
    track = Track(notes=(Note(60, 0, 480),))
    assert track.end == 480  # computed once, then remembered
    longer = track.with_notes([*track.notes, Note(62, 900, 100)])
    assert (track.end, longer.end) == (480, 1000)
    assert replace(longer, name="Lead").end == 1000 and Track().end == 0
    assert longer == Track(notes=longer.notes)  # the remembered end is not part of equality


def test_audible_tracks_follow_mute_and_solo():
    a, b, c = Track("A"), Track("B"), Track("C")
    song = Song((a, b, c))

    def heard(mute=(), solo=()):
        return Song(tuple(replace(t, mute=t in mute, solo=t in solo) for t in song.tracks)
                    ).audible_ids()

    assert heard() == [a.id, b.id, c.id]
    assert heard(mute=(b,)) == [a.id, c.id]
    assert heard(solo=(c,)) == [c.id]
    assert heard(mute=(a,), solo=(a, c)) == [c.id]  # mute wins over solo


@pytest.mark.parametrize("make, problem", [
    (lambda: Track(volume=7.0), "volume 7 is outside 0..1"),
    (lambda: Track(pan=-2), "pan -2 is outside -1..1"),
    (lambda: TempoChange(0, 0), "tempo of 0 µs per beat is not one MIDI can hold"),
    (lambda: TimeSignature(0, 0, 4), "time signature 0/4 is not one MIDI can hold"),
    (lambda: TimeSignature(0, 3, 5), "time signature 3/5"),
    (lambda: KeySignature(0, "H"), "unknown key 'H'"),
    (lambda: Note(60, 0.5, 480), "ticks are whole numbers"),
])
def test_the_song_model_refuses_what_a_saved_file_could_not_hold(make, problem):
    # Such values were accepted, saved without complaint, and the project then refused to
    # open ("damaged Partita project").
    with pytest.raises(ValueError, match=problem):
        make()


def test_lists_become_tuples_so_frozen_songs_hash():
    track = Track(notes=[Note(60, 0, 10)])
    song = Song(tracks=[track], key_signatures=[KeySignature(0, "C")])
    assert isinstance(track.notes, tuple) and isinstance(song.tracks, tuple)
    assert hash(song) == hash(Song(tracks=(track,), key_signatures=(KeySignature(0, "C"),)))


def test_meters_are_read_and_written_as_musicians_write_them():
    assert TimeSignature.from_text("3+2+2/8") == TimeSignature(0, 7, 8, (3, 2, 2))
    assert TimeSignature.from_text(" 3 + 2 + 2 / 8 ", tick=960).tick == 960
    assert TimeSignature.from_text("6/8") == TimeSignature(0, 6, 8)
    assert TimeSignature(0, 7, 8, (3, 2, 2)).text == "3+2+2/8"
    assert TimeSignature(0, 7, 8).text == "7/8"
    for text in ("3+2+2/8", "2+2+2/8", "3+2+3/8", "5/4", "2+2+1+2/16"):
        assert TimeSignature.from_text(text).text == text


def test_the_default_grouping_written_out_is_the_default():
    # 2+2+3/8 is how 7/8 is counted anyway: one meter, one hash, one file entry.
    written = TimeSignature(0, 7, 8, (2, 2, 3))
    assert written.groups == () and written == TimeSignature(0, 7, 8)
    assert hash(written) == hash(TimeSignature(0, 7, 8))
    assert TimeSignature(0, 7, 8, [3, 2, 2]).groups == (3, 2, 2)  # a list becomes a tuple
    assert TimeSignature(0, 7, 8, (3, 2, 2)) != TimeSignature(0, 7, 8)
    assert TimeSignature.from_text("3+3/8").text == "6/8"


@pytest.mark.parametrize("make, problem", [
    (lambda: TimeSignature(0, 7, 8, (3, 2, 3)), r"groups 3\+2\+3 add up to 8, not the 7 beats"),
    (lambda: TimeSignature(0, 7, 8, (7,)), "two or more groups"),
    (lambda: TimeSignature.from_text("3+2/4"), "5/4 is counted in its own beats"),
    (lambda: TimeSignature.from_text("3+0+2/8"), "at least one"),
    (lambda: TimeSignature.from_text("3+2+2"), r"like 3/4, or grouped like 3\+2\+2/8"),
    (lambda: TimeSignature.from_text("3++2/8"), r"like 3/4, or grouped like 3\+2\+2/8"),
    (lambda: TimeSignature.from_text("7/6"), "not one MIDI can hold"),
])
def test_a_grouping_that_does_not_count_the_bar_is_refused(make, problem):
    with pytest.raises(ValueError, match=problem):
        make()


def test_the_groupings_offered_are_the_twos_and_threes_of_the_bar():
    from engine.score.song import groupings_of

    assert groupings_of(7) == ((3, 2, 2), (2, 3, 2), (2, 2, 3))
    assert groupings_of(8) == ((3, 3, 2), (3, 2, 3), (2, 3, 3), (2, 2, 2, 2))
    assert groupings_of(3) == () and groupings_of(2) == ()  # one group is no grouping
    assert len(groupings_of(16)) == 37 and groupings_of(17) == ()
