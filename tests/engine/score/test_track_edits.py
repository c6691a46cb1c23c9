"""Track edits as the studio's track list and `partita tracks` make them."""

from __future__ import annotations

from engine.score import DRUM_CHANNEL, TRACK_COLOURS, Note, Song, Track
from engine.score.track_edits import (
    DRUMS,
    add_track_edit,
    delete_track_edit,
    duplicate_track_edit,
    free_channel,
    free_colour,
    instrument_edit,
    move_track_edit,
    unique_track_name,
)


def band() -> Song:
    return Song(tracks=(Track("Piano", channel=0), Track("Kit", is_drum=True,
                                                          channel=DRUM_CHANNEL),
                        Track("Bass", program=33, channel=1)))


def test_a_new_track_takes_a_free_channel_and_undoes_exactly():
    song = band()
    assert free_channel(song) == 2 and free_channel(song, {2, 3}) == 4
    edit = add_track_edit(song, song.tracks[0].id, name="Flute", program=73)
    after = edit.apply(song)
    assert [t.name for t in after.tracks] == ["Piano", "Flute", "Kit", "Bass"]
    assert (after.tracks[1].program, after.tracks[1].channel) == (73, 2)
    assert edit.inverse().apply(after) == song
    kit = add_track_edit(song, drums=True).apply(song).tracks[-1]
    assert kit.is_drum and kit.channel == DRUM_CHANNEL and kit.name == "Drums"
    full = Song(tracks=tuple(Track(f"T{c}", channel=c) for c in range(16) if c != 9))
    assert free_channel(full) == 0  # all taken: tracks share channel 1


def test_delete_move_and_instrument():
    song = band()
    bass = song.tracks[2]
    assert [t.name for t in delete_track_edit(song, bass.id).apply(song).tracks] == [
        "Piano", "Kit"]
    assert move_track_edit(song, bass.id, 1) is None  # past the end
    assert [t.name for t in move_track_edit(song, bass.id, -2).apply(song).tracks] == [
        "Bass", "Piano", "Kit"]
    as_kit = instrument_edit(song, bass.id, DRUMS)
    assert as_kit.label == "Set instrument of Bass to Drum Kit"
    kit_bass = as_kit.apply(song).track(bass.id)
    assert kit_bass.is_drum and kit_bass.channel == DRUM_CHANNEL and kit_bass.program == 0
    back = instrument_edit(as_kit.apply(song), bass.id, 42).apply(as_kit.apply(song))
    cello = back.track(bass.id)
    assert not cello.is_drum and cello.program == 42 and cello.channel == 1  # free again


def test_a_new_track_takes_the_first_colour_no_track_has():
    song = Song(tracks=(Track("Piano", colour=TRACK_COLOURS[1]),))  # File ▸ New's
    added = add_track_edit(song).apply(song)
    assert added.tracks[-1].colour == TRACK_COLOURS[0]
    assert add_track_edit(added).apply(added).tracks[-1].colour == TRACK_COLOURS[2]
    assert free_colour(song, [TRACK_COLOURS[0]]) == TRACK_COLOURS[2]  # claimed by an edit
    full = Song(tracks=tuple(Track(f"T{i}", colour=c.upper())
                             for i, c in enumerate(TRACK_COLOURS * 2)))
    assert free_colour(full) == TRACK_COLOURS[0]  # all used as often: the palette cycles
    assert free_colour(full, [TRACK_COLOURS[0]]) == TRACK_COLOURS[1]


def test_a_new_instrument_drops_the_old_ones_transposition():
    song = Song(tracks=(Track("Clarinet in A", program=71, transposition=(-2, -3)),))
    tid = song.tracks[0].id
    assert instrument_edit(song, tid, 71).apply(song).tracks[0].transposition == (-2, -3)
    edit = instrument_edit(song, tid, 65)  # an alto sax: its own usual one (E♭)
    sax = edit.apply(song)
    assert sax.tracks[0].transposition is None
    assert edit.inverse().apply(sax) == song  # undo gives the A back


def test_a_new_name_is_never_another_tracks_label():
    # Two tracks named "Piano" are told apart as "Piano (1)" and "Piano (2)" (messages,
    # stem files): a third Piano named "Piano (2)" would read as the second one.
    song = Song(tracks=(Track("Piano"), Track("Piano"), Track("Track 3")))
    assert unique_track_name(song, "Piano") == "Piano (3)"
    assert unique_track_name(song, "Bass") == "Bass"
    # A track keeps its own name; a "Track N" made a kit beside two "Drums" is "Drums (3)".
    assert unique_track_name(song, "Track 3", song.tracks[2].id) == "Track 3"
    kits = Song(tracks=(Track("Drums", is_drum=True, channel=DRUM_CHANNEL),
                        Track("Drums", is_drum=True, channel=DRUM_CHANNEL), Track("Track 3")))
    tid = kits.tracks[2].id
    renamed = instrument_edit(kits, tid, DRUMS, name_after=True).apply(kits)
    assert renamed.tracks[2].name == "Drums (3)"


def test_a_parts_transposition_is_set_undone_and_refused_on_a_kit():
    import pytest

    from engine.score import EditError
    from engine.score.track_edits import transposition_edit

    song = Song(tracks=(Track("Clarinet", program=71), Track("Strings", program=48),
                        Track("Kit", is_drum=True, channel=DRUM_CHANNEL)))
    clarinet, strings, kit = (t.id for t in song.tracks)
    edit = transposition_edit(song, clarinet, (-2, -3))
    assert edit.label == "Clarinet: written in A (sounds a minor third lower)"
    in_a = edit.apply(song)
    assert in_a.track(clarinet).transposition == (-2, -3)
    assert edit.inverse().apply(in_a) == song  # undo: back to the instrument's usual B♭
    # Already so — a clarinet's usual B♭, or a name's "in A" — is no edit.
    assert transposition_edit(song, clarinet, (-1, -2)) is None
    assert transposition_edit(in_a, clarinet, (-2, -3)) is None
    named = Song(tracks=(Track("Clarinet in A", program=71),))
    assert transposition_edit(named, named.tracks[0].id, (-2, -3)) is None
    # Concert pitch is stored (a clarinet in C), as an octave below for strings is.
    assert transposition_edit(song, clarinet, (0, 0)).apply(song).track(
        clarinet).transposition == (0, 0)
    assert transposition_edit(song, strings, (-7, -12)).label == (
        "Strings: sounds an octave lower than written")
    with pytest.raises(EditError, match="'Kit' is a drum kit"):
        transposition_edit(song, kit, (-1, -2))
    with pytest.raises(ValueError, match="not an interval"):
        transposition_edit(song, clarinet, (3, -3))


def test_a_duplicated_track_is_a_copy_below_it_with_its_own_name_channel_and_notes():
    piano = Track("Piano", program=4, channel=0, volume=0.5, pan=-0.25, mute=True,
                  transposition=(-1, -2), notes=(Note(60, 0, 480, 90), Note(64, 480, 480)))
    song = Song(tracks=(piano, Track("Kit", is_drum=True, channel=DRUM_CHANNEL,
                                     notes=(Note(36, 0, 120),))))
    edit = duplicate_track_edit(song, piano.id)
    assert edit.label == "Duplicate track “Piano”"
    after = edit.apply(song)
    assert [t.name for t in after.tracks] == ["Piano", "Piano (2)", "Kit"]
    copy = after.tracks[1]
    assert copy.id != piano.id and copy.channel not in (0, DRUM_CHANNEL)
    assert copy.colour != piano.colour
    assert (copy.program, copy.volume, copy.pan, copy.mute, copy.transposition) == (
        4, 0.5, -0.25, True, (-1, -2))
    assert copy.notes == piano.notes  # the same music …
    assert not {n.id for n in copy.notes} & {n.id for n in piano.notes}  # … as new notes
    assert edit.inverse().apply(after) == song
    kit = duplicate_track_edit(after, song.tracks[1].id).apply(after).tracks[3]
    assert (kit.name, kit.is_drum, kit.channel) == ("Kit (2)", True, DRUM_CHANNEL)


def test_a_name_that_is_just_the_old_instruments_follows_the_new_one():
    """File ▸ New's "Piano" made a Drum Kit stayed "Piano" (its stem "01 - Piano.wav" held
    drums): only "Track N" followed the instrument. A name no one chose — the instrument's
    own, as File ▸ New, `tracks --add` and compose give it — follows; a part's or a
    user's name stays, and without ``name_after`` (`tracks --instrument`) nothing does."""
    from engine.score.track_edits import default_name

    assert default_name("Piano", 0, False) and default_name("Track 7", 40, False)
    assert default_name("Acoustic Grand Piano", 0, False) and default_name("Piano (2)", 0, False)
    assert default_name("Drums", 0, True) and default_name("Kit", 0, True)
    assert default_name("electric bass (finger)", 33, False) and default_name("Bass", 33, False)
    assert not default_name("Piano", 4, False)  # not this track's instrument: chosen
    assert not default_name("Soprano", 52, False)  # a part, not an instrument
    assert not default_name("Hook", 0, False) and not default_name("Drums", 0, False)
    song = band()
    piano, kit, bass = (t.id for t in song.tracks)

    def renamed(track_id: int, value: int, name_after: bool = True) -> str:
        after = instrument_edit(song, track_id, value, name_after=name_after).apply(song)
        return after.track(track_id).name

    assert renamed(piano, DRUMS) == "Drums"
    assert renamed(kit, 0) == "Acoustic Grand Piano"
    assert renamed(bass, 32) == "Acoustic Bass"
    assert renamed(piano, DRUMS, name_after=False) == "Piano"
    named = Song(tracks=(Track("Keys for verse", channel=0),))
    tid = named.tracks[0].id
    assert instrument_edit(named, tid, DRUMS, name_after=True).apply(named).tracks[0].name == (
        "Keys for verse")


def test_a_track_becomes_any_general_midi_2_kit_and_is_named_after_it():
    # The instrument list's "TR-808 Kit": program 25 on the drum channel, one value for it.
    from engine.score.track_edits import instrument_value, kit_program, kit_value

    assert kit_value(0) == DRUMS and kit_program(DRUMS) == 0 and kit_program(33) is None
    assert kit_program(kit_value(25)) == 25 and instrument_value(25, True) == kit_value(25)
    assert instrument_value(25, False) == 25
    song = band()
    piano, kit, _ = (t.id for t in song.tracks)
    edit = instrument_edit(song, piano, kit_value(25), name_after=True)
    track = edit.apply(song).track(piano)
    assert (track.is_drum, track.program, track.channel, track.name) == (
        True, 25, DRUM_CHANNEL, "TR-808 Kit")
    assert edit.label == "Set instrument of Piano to TR-808 Kit"
    # A kit's name follows the next kit; the standard one is "Drums" again.
    after = edit.apply(song)
    back = instrument_edit(after, piano, DRUMS, name_after=True).apply(after).track(piano)
    assert (back.program, back.name) == (0, "Drums")
    brush = instrument_edit(song, kit, kit_value(40), name_after=True).apply(song).track(kit)
    assert (brush.program, brush.name) == (40, "Brush Kit")
    added = add_track_edit(song, name="Trap Kit", program=25, drums=True).track
    assert (added.is_drum, added.program, added.channel) == (True, 25, DRUM_CHANNEL)
