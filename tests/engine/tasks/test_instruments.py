"""The tracks a task adds: harmonize's SATB voices are instruments that can play them."""

from __future__ import annotations

import pytest

from engine.score import Track
from engine.score.instruments import GM_PROGRAMS, part_range, role_of
from engine.score.satb import SATB_VOICES
from engine.tasks.instruments import accompaniment_kind, accompaniment_specs


@pytest.mark.parametrize(("melody", "voices", "names"), [
    (65, ("Alto Sax", "Tenor Sax", "Baritone Sax"), ("Alto Sax 2", "Tenor Sax", "Baritone Sax")),
    (40, ("Violin", "Viola", "Cello"), ("Violin II", "Viola", "Cello")),  # a string quartet
    (56, ("French Horn", "Trombone", "Tuba"), ("French Horn", "Trombone", "Tuba")),
    (73, ("Clarinet", "Clarinet", "Bassoon"), ("Clarinet 1", "Clarinet 2", "Bassoon")),
    (52, ("Choir Aahs",) * 3, SATB_VOICES),  # a choir sings every part: its voices' names
    (48, ("String Ensemble 1",) * 3, SATB_VOICES),
])
def test_satb_voices_under_a_solo_instrument_come_from_its_family(melody, voices, names):
    specs = accompaniment_specs(Track("Lead", program=melody), "satb")
    assert tuple(s.name for s in specs) == names  # not Alto, Tenor, Bass on a violin
    assert tuple(GM_PROGRAMS[s.program] for s in specs) == voices
    for spec in specs:  # each part has at least an octave its instrument plays
        lo, hi = part_range(spec.name, spec.program)
        assert hi - lo >= 12


@pytest.mark.parametrize("name", ["Soprano", "soprano", "S.", "Sopran", "Soprano 1",
                                  "Soprano I", "Sop.", "Sopranos", "Treble"])
def test_a_melody_named_as_the_soprano_part_gets_the_chorale_voices(name):
    """A choir director's hymn tune on the default piano, named Soprano, was offered
    Piano and Bass: its name says it is the top voice of an SATB."""
    from engine.tasks.requests import default_accompaniment

    melody = Track(name, program=0)
    assert accompaniment_kind(melody) == "satb"
    assert default_accompaniment(melody) == "Alto, Tenor, Bass"
    # On the melody's own instrument (a keyboard plays every part), one line each.
    assert [(s.name, s.program) for s in accompaniment_specs(melody, "auto")] == [
        ("Alto", 0), ("Tenor", 0), ("Bass", 0)]


@pytest.mark.parametrize("name", ["Piano", "Melody", "Soprano Sax Solo", "Solo", "Bass"])
def test_other_melody_names_on_a_piano_keep_the_band(name):
    assert accompaniment_kind(Track(name, program=0)) == "band"


def test_a_choir_score_abbreviating_its_parts_is_still_a_chorale():
    """Re-harmonizing a song of "S.", Alto, Tenor, Bass was no chorale (no parallels
    rule, no chorale model): a choir score names its parts S., A., T., B., Ten., Basses."""
    from engine.score import Song
    from engine.score.instruments import voice_part_of
    from engine.tasks import is_chorale

    assert [voice_part_of(n) for n in ("S.", "A.", "Ten.", "Basses", "Alto 2", "T.")] == [
        "soprano", "alto", "tenor", "bass", "alto", "tenor"]
    # A lone letter names a section as often as a voice; a bassoon or a tenor sax is none.
    assert [voice_part_of(n) for n in ("A", "B", "Bassoon", "Tenor Sax")] == [None] * 4
    parts = [Track(n, program=52) for n in ("S.", "A.", "Ten.", "Basses")]
    assert is_chorale(Song(tuple(parts)), [parts[1].id])
    twice = [Track(n, program=52) for n in ("S.", "Soprano", "Alto")]
    assert not is_chorale(Song(tuple(twice)), [twice[2].id])  # a part named twice


def test_instruments_are_found_as_musicians_type_them():
    from engine.tasks import track_spec

    assert [track_spec(n).program for n in (
        "Warm Pad", "Nylon Guitar", "E-Piano", "Vocals", "string ensemble", "Fretless")] == [
        89, 24, 4, 52, 48, 35]  # every word in a GM name; numbered twins: the first


def test_a_producers_instruments_are_found_and_an_unknown_one_offers_the_nearest():
    from engine.tasks import TaskError, track_spec, track_specs

    specs = track_specs(["808", "808 Bass", "Synth Lead", "Chord Pad", "Trap Kit", "TR-808"])
    assert [(s.name, s.program, s.is_drum) for s in specs] == [
        ("808", 38, False), ("808 Bass", 38, False), ("Synth Lead", 80, False),
        ("Chord Pad", 89, False), ("Trap Kit", 25, True), ("TR-808", 25, True)]
    assert [role_of(s.program, s.is_drum) for s in specs] == [
        "bass", "bass", "melody", "chords", "drums", "drums"]
    # NAME=INSTRUMENT, as tracks --add takes it; the instrument also by GM number.
    named = track_specs(["Lead=saw lead", "Kick = trap kit", "Keys=5", "=Chord Pad",
                         "Sub=808"])  # "808" a name first, not GM number 808 refused
    assert [(s.name, s.program, s.is_drum) for s in named] == [
        ("Lead", 81, False), ("Kick", 25, True), ("Keys", 4, False), ("Chord Pad", 89, False),
        ("Sub", 38, False)]
    with pytest.raises(TaskError, match=r"unknown instrument '808 Base': did you mean "
                                        r"808 Bass"):
        track_spec("808 Base")
    with pytest.raises(TaskError, match="did you mean Violin"):
        track_spec("vilin")
    with pytest.raises(TaskError, match=r"1\.\.128"):
        track_specs(["Lead=129"])


@pytest.mark.parametrize(("typed", "kit"), [
    ("Trap Kit", 25), ("TR-808", 25), ("808 Kit", 25), ("tr808", 25), ("TR-808 Kit", 25),
    ("909 Kit", 24), ("TR-909", 24), ("Electronic Kit", 24), ("Dance Kit", 24),
    ("Jazz Kit", 32), ("Brush Kit", 40), ("Brushes", 40), ("Room Kit", 8), ("Power Kit", 16),
    ("Orchestra Kit", 48), ("SFX Kit", 56), ("Drums", 0), ("Standard Kit", 0), ("Kit", 0)])
def test_a_producers_kit_is_its_general_midi_2_kit(typed, kit):
    # QA: "Trap Kit", "TR-808", "808 Kit" and "909 Kit" all played the acoustic kit
    # (program 0 on channel 10). GM2 picks a kit by the program on the drum channel.
    from engine.tasks import track_spec

    spec = track_spec(typed)
    assert (spec.program, spec.is_drum) == (kit, True)
    assert role_of(spec.program, spec.is_drum) == "drums"  # the models write it as drums
    assert track_spec("808").is_drum is False  # the 808 alone is the sub bass


def test_four_voice_parts_are_a_choir_and_a_bass_elsewhere_is_a_bass_guitar():
    from engine.tasks import track_specs

    satb = track_specs(["Soprano", "Alto", "tenor", "Bass"])
    assert [(s.name, s.program) for s in satb] == [
        ("Soprano", 52), ("Alto", 52), ("Tenor", 52), ("Bass", 52)]
    assert [s.program for s in track_specs(["Piano", "Bass", "Drums"])] == [0, 33, 0]
    assert track_specs(["Soprano", "Soprano"])[1].program == 52  # not a voice set: as typed


def test_a_range_that_leaves_drums_out_of_a_kit_is_said():
    from engine.score import Note, Song
    from engine.tasks import range_on_drums

    kit = Track("Drums", is_drum=True, channel=9, notes=(
        Note(36, 0, 60), Note(39, 480, 60), Note(70, 0, 60), Note(70, 240, 60)))
    lead = Track("Lead", program=80, notes=(Note(72, 0, 480),))
    empty = Track("Perc", is_drum=True, channel=9)
    song = Song(tracks=(kit, lead, empty))
    ids = [kit.id, lead.id]
    assert range_on_drums(song, ids, None) is None
    assert range_on_drums(song, ids, (35, 81)) is None  # every drum of the kit is in it
    assert range_on_drums(song, [lead.id], (60, 84)) is None  # no kit written
    assert range_on_drums(song, ids, (60, 84)) == (
        "Drums rewrites only the drums whose notes lie in it (Kick 36, Clap 39 keep their "
        "hits)")
    assert range_on_drums(song, ids, (84, 96)) == (
        "Drums stays as it is: none of its drums lies in it (Kick 36, Clap 39, Maracas 70)")
    # An empty kit is General MIDI's: a range of kick to toms leaves out the cymbals.
    said = range_on_drums(song, [empty.id], (35, 48))
    assert said.startswith("Perc rewrites only the drums whose notes lie in it (Crash 1 49, "
                           "Ride 1 51, Cowbell 56 keep their hits)")


def test_tracks_a_harmonize_adds_never_share_a_colour_with_the_song():
    # File ▸ New's Piano (the palette's second colour) renamed Soprano, then Harmonize:
    # the Alto took that same colour, as if it were the same part.
    from engine.score import TRACK_COLOURS, Song
    from engine.tasks.instruments import new_track_edits

    soprano = Track("Soprano", program=52, channel=0, colour=TRACK_COLOURS[1])
    song = Song(tracks=(soprano,))
    for edit in new_track_edits(song, accompaniment_specs(soprano, "satb")):
        song = edit.apply(song)
    assert [t.colour for t in song.tracks] == [TRACK_COLOURS[1], TRACK_COLOURS[0],
                                               *TRACK_COLOURS[2:4]]


def test_a_range_on_a_kit_is_its_pitch_band_and_a_pitched_tracks_region_stays_whole():
    """Producer QA: "regenerate the drums but keep my kick" with a range of 37-127 rewrote
    the whole kit and deleted every kick. On a kit the range is the band of drums the
    take may touch; on a pitched track it is where new notes go (the region is kept)."""
    from engine.score import Mask, Note, Region, Song
    from engine.tasks import kit_band_mask

    kit = Track("Drums", is_drum=True, channel=9, notes=(Note(36, 0, 60), Note(42, 0, 60)))
    keys = Track("Keys", program=4, notes=(Note(48, 0, 480), Note(72, 0, 480)))
    song = Song(tracks=(kit, keys))
    both = Mask.of(Region({kit.id, keys.id}, 0, 1920))
    assert kit_band_mask(song, both, None) == both
    narrowed = kit_band_mask(song, both, (37, 127))
    assert narrowed == Mask.of(Region({keys.id}, 0, 1920), Region({kit.id}, 0, 1920, 37, 127))
    assert kit_band_mask(song, narrowed, (37, 127)) == narrowed  # settled twice: the same
    assert narrowed.notes_inside(song)[kit.id] == (kit.notes[1],)  # the kick is kept
    assert len(narrowed.notes_inside(song)[keys.id]) == 2  # every note of the region
    # A painted band and the range: their overlap; none at all leaves the kit untouched.
    banded = Mask.of(Region({kit.id}, 0, 1920, 30, 40))
    assert kit_band_mask(song, banded, (37, 127)) == Mask.of(Region({kit.id}, 0, 1920, 37, 40))
    assert kit_band_mask(song, banded, (60, 127)).is_empty


def test_a_melody_with_lyrics_is_a_sung_line_and_gets_the_chorale_voices():
    """A nameless tune on the default piano that carries its verse (a hymn's MusicXML)
    was offered Piano and Bass: its lyrics say it is sung, so the CLI's --accompaniment
    auto and the studio's Harmonize offer Alto, Tenor and Bass."""
    from engine.score import Note
    from engine.score.lyrics import Lyric
    from engine.tasks.requests import default_accompaniment

    sung = Track("", program=0, notes=(Note(67, 0, 480, lyric=Lyric("Praise")),
                                       Note(69, 480, 480)))
    assert accompaniment_kind(sung) == "satb"
    assert default_accompaniment(sung) == "Alto, Tenor, Bass"
    # Nameless on the piano: the choir's (as_soprano), as for a tune named Soprano.
    assert [(s.name, s.program) for s in accompaniment_specs(sung, "auto")] == [
        ("Alto", 52), ("Tenor", 52), ("Bass", 52)]
    assert accompaniment_kind(Track("", program=0, notes=(Note(67, 0, 480),))) == "band"
    assert accompaniment_kind(sung, "band") == "band"  # asked for: kept
    # A song with chord symbols is a band's chart: the sung verse gets Piano and Bass.
    assert accompaniment_kind(sung, lead_sheet=True) == "band"
    assert default_accompaniment(sung, lead_sheet=True) == "Piano, Bass"
    assert accompaniment_kind(sung, "satb", lead_sheet=True) == "satb"  # asked for


def test_the_band_asked_for_has_drums_and_the_automatic_one_has_none():
    """A songwriter's ``--accompaniment band`` under a lyric melody added Piano and Bass
    and no drummer; ``auto`` under a tune on an instrument (a hymn, a folk tune on the
    flute) still adds no kit it did not ask for."""
    flute = Track("Flute", program=73)
    assert [(s.name, s.program, s.is_drum) for s in accompaniment_specs(flute, "band")] == [
        ("Piano", 0, False), ("Bass", 33, False), ("Drums", 0, True)]
    assert [(s.name, s.is_drum) for s in accompaniment_specs(flute, "auto")] == [
        ("Piano", False), ("Bass", False)]


def test_a_range_past_a_parts_instrument_is_narrowed_and_one_that_misses_it_refused():
    # QA: --range C0-C8 over an orchestra wrote a violin's Bb2 and a tuba's G5; --pitch
    # was checked against the instruments, --range was not.
    from engine.score import Note, Song
    from engine.tasks import range_narrowed, range_out_of_reach

    violin = Track("Violin I", program=40)
    tuba = Track("Tuba", program=58, channel=1)
    kit = Track("Drums", is_drum=True, channel=9)
    low = Track("Tuba 2", program=58, channel=2, notes=(Note(24, 0, 480),))  # C1: it plays it
    song = Song(tracks=(violin, tuba, kit, low))
    ids = [violin.id, tuba.id, kit.id]
    assert range_narrowed(song, ids, None) is None and range_out_of_reach(song, ids, None) is None
    assert range_narrowed(song, ids, (12, 108)) == (
        "narrowed to what each part plays: Violin I G3–A7, Tuba D1–F4")
    assert range_out_of_reach(song, ids, (12, 108)) is None
    assert range_narrowed(song, [violin.id], (60, 72)) is None  # inside it: as asked
    assert range_narrowed(song, [tuba.id, low.id], (20, 40)) == (
        "narrowed to what each part plays: Tuba D1–E2, Tuba 2 C1–E2")
    assert range_out_of_reach(song, ids, (72, 84)) == (
        "the pitch range C5–C6 lies outside the range of Tuba D1–F4: nothing can be "
        "written there; choose a range that meets it")
    assert range_out_of_reach(song, [kit.id], (100, 110)) is None  # a kit's range picks drums
