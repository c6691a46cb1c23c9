"""Request plans over a painted mask: what each studio action asks a model to write."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.score import Mask, Note, Region, Song, Track
from engine.tasks import requests
from engine.tasks.requests import Instrument, PlanError

Q, BAR = 480, 1920


def band() -> tuple[Song, Track, Track, Track]:
    """Four bars: a melody, chords on Piano, and an empty Bass."""
    lead = Track("Lead", program=73, notes=tuple(Note(72 + i % 5, i * Q, Q) for i in range(16)))
    piano = Track("Piano", notes=tuple(Note(60, b * BAR, BAR) for b in range(4)))
    bass = Track("Bass", program=33)
    return Song((lead, piano, bass)), lead, piano, bass


def test_repaint_is_the_painted_mask_and_needs_one():
    song, lead, _, _ = band()
    with pytest.raises(PlanError, match="paint a mask first"):
        requests.repaint(song, Mask())
    mask = Mask.of(Region({lead.id}, BAR, 2 * BAR))
    assert requests.repaint(song, mask).mask == mask


def test_a_pitch_band_no_painted_part_can_play_is_refused_with_the_ranges():
    song, lead, _, bass = band()
    high = Mask.of(Region({lead.id, bass.id}, 0, BAR, 108, 115))  # C8–G8: no flute, no bass
    with pytest.raises(PlanError, match=r"the pitch band C8–G8 lies outside the range of "
                                        r"Lead C4–C7, Bass E1–E4"):
        requests.repaint(song, high)
    # A band one of the parts reaches, and a band on notes a track already has, are fine.
    assert requests.repaint(song, Mask.of(Region({lead.id, bass.id}, 0, BAR, 30, 40)))
    odd = Song((Track("Lead", program=73, notes=(Note(110, 0, Q),)),))
    assert requests.repaint(odd, Mask.of(Region({odd.tracks[0].id}, 0, BAR, 108, 115)))


def test_regenerate_and_continue_span_whole_bars():
    song, _, piano, _ = band()
    plan = requests.regenerate(song, Mask(), current=piano.id)
    assert plan.mask.track_ids == {piano.id} and plan.mask.span == (0, 4 * BAR)
    assert plan.label == "Regenerate Piano"
    three = Mask.of(Region({t.id for t in song.tracks}, 0, BAR))
    assert requests.regenerate(song, three, None).label == "Regenerate 3 tracks"  # counted
    plan = requests.continue_(song, Mask(), bars=2)
    assert plan.mask.span == (4 * BAR, 6 * BAR) and len(plan.mask.track_ids) == 3
    assert plan.prep[0].apply(song).length == 6 * BAR  # one take lengthens the song
    one = requests.continue_(song, Mask(), bars=1)  # named as a musician says it
    assert (one.label, one.prep[-1].label) == ("Continue 1 bar", "Extend by 1 bar")


def test_continue_goes_on_from_the_music_filling_empty_bars_before_lengthening():
    """QA: File ▸ New's 8 empty bars, 4 written: "continue 4 bars" wrote bars 9–12 and
    left bars 5–8 a hole."""
    song, _, piano, _ = band()
    song = Song(song.tracks, length=8 * BAR)  # four bars of music, eight bars long
    plan = requests.continue_(song, Mask(), bars=4)
    assert plan.mask.span == (4 * BAR, 8 * BAR) and plan.prep == ()  # nothing to lengthen
    plan = requests.continue_(song, Mask(), bars=6)
    assert plan.mask.span == (4 * BAR, 10 * BAR)
    assert plan.prep[-1].apply(song).length == 10 * BAR
    assert piano.id in plan.mask.track_ids  # still playing at the music's end
    # A last bar the music stops short in: its rest is the new music's (a pickup's beat).
    lead3 = Track("Lead", program=73, notes=tuple(Note(72, i * Q, Q) for i in range(15)))
    short = Song((lead3,), length=0)  # 3 bars and 3 beats
    assert requests.continue_(short, Mask(), bars=1).mask.span == (15 * Q, 5 * BAR)
    # A last whole note released early (85 %) is no short bar: the new bar starts on time.
    early = Song((Track("Lead", program=73, notes=(Note(72, 0, BAR), Note(74, BAR, 1632))),))
    assert requests.continue_(early, Mask(), bars=1).mask.span == (2 * BAR, 3 * BAR)
    # Regenerate stops at a song's end, mid-bar or not: it never lengthens the song.
    short = Song(song.tracks[:2], length=0)
    cut = short.with_tracks([t.with_notes(t.notes[:-1]) for t in short.tracks])
    assert requests.regenerate(cut, Mask(), current=piano.id).mask.span[1] == cut.end


def test_harmonize_fills_only_the_empty_tracks_unless_they_are_painted():
    song, lead, piano, bass = band()
    plan = requests.harmonize(song, Mask(), lead.id)
    assert plan.mask.track_ids == {bass.id}  # the hand-written chords stay
    painted = Mask.of(Region({piano.id}, 0, 4 * BAR))
    assert requests.harmonize(song, painted, lead.id).mask.track_ids == {piano.id}
    full = song.with_tracks([lead, piano])
    with pytest.raises(PlanError, match="Harmonize keeps what you wrote"):
        requests.harmonize(full, Mask(), lead.id)


def test_harmonize_without_a_mask_ends_with_the_melody_as_the_command_line_does():
    # The studio filled to the bar line: the final chord hung on after the tune stopped.
    lead = Track("Lead", program=73, notes=tuple(Note(72, i * Q, Q) for i in range(13)))
    song = Song((lead, Track("Bass", program=33)), length=4 * BAR)
    assert requests.harmonize(song, Mask(), lead.id).mask.span == (0, 13 * Q)


def test_compose_reuses_matching_empty_tracks_and_adds_the_rest():
    empty = Song((Track("Keys"), Track("Bass", program=33)))
    plan = requests.compose(empty, [Instrument("Piano"), Instrument("Drums", is_drum=True)], 8)
    added = [e.track.name for e in plan.prep if hasattr(e, "track")]
    assert added == ["Drums"] and plan.mask.span == (0, 8 * BAR)
    with pytest.raises(PlanError, match="Compose starts from an empty song"):
        requests.compose(band()[0], [Instrument("Piano")], 8)


def test_alto_tenor_bass_under_a_lone_wind_melody_are_its_familys_voices():
    # Typed under a sax, "Alto, Tenor, Bass" was a choir, a choir and a bass guitar.
    sax = Track("Lead", program=65, notes=(Note(70, 0, Q),))
    add, chorale = requests.accompaniment(sax, "Alto, Tenor, Bass", alone=True)
    assert [(i.name, i.program) for i in add] == [
        ("Alto Sax 2", 65), ("Tenor Sax", 66), ("Baritone Sax", 67)]  # named as they play
    assert chorale
    # The names offered for them are the same voices.
    assert requests.accompaniment(sax, "alto sax 2, tenor sax, baritone sax", True) == (
        add, True)
    add, chorale = requests.accompaniment(sax, "Piano, Bass", alone=True)
    assert [i.program for i in add] == [0, 33] and not chorale


def test_continue_refuses_a_song_without_notes_and_harmonize_a_drum_melody():
    from engine.score import DRUM_CHANNEL

    empty = Song((Track("Piano"),), ppq=480, length=8 * 1920)  # File ▸ New
    with pytest.raises(PlanError, match="no notes to continue: write some, or use Compose"):
        requests.continue_(empty, Mask(), 4)
    kit = Track("Drums", is_drum=True, channel=DRUM_CHANNEL, notes=(Note(36, 0, 120),))
    with pytest.raises(PlanError, match="'Drums' is a drum track"):
        requests.harmonize(Song((kit, Track("Bass")), ppq=480), Mask(), kit.id)


def test_continue_leaves_out_a_track_that_has_rested_through_the_last_bars():
    # A trumpet out for eleven bars entered the continuation at the band's density.
    lead = Track("Lead", program=73, notes=tuple(Note(72, i * BAR, Q) for i in range(12)))
    horn = Track("Trumpet", program=56, notes=(Note(70, 0, BAR),))  # bar 1 only
    new = Track("Bass", program=33)  # empty: added to be written
    song = Song((lead, horn, new))
    plan = requests.continue_(song, Mask(), bars=2)
    assert plan.mask.track_ids == {lead.id, new.id}
    named = Mask.of(Region({horn.id}, 0, BAR))  # painted: the user asks for it
    assert requests.continue_(song, named, bars=2).mask.track_ids == {horn.id}


def test_a_track_with_no_name_is_named_by_its_number_in_the_plans_label():
    # Imported MIDI often has blank track names: "Accepted take A (Harmonize )".
    song, lead, piano, bass = band()
    song = song.with_tracks([replace(lead, name=""), piano, replace(bass, name=" ")])
    assert requests.harmonize(song, Mask(), lead.id).label == "Harmonize track 1"
    assert requests.regenerate(song, Mask(), bass.id).label == "Regenerate track 3"
    twin = song.with_tracks([replace(lead, name="Piano"), piano, bass])  # two named Piano
    assert requests.harmonize(twin, Mask(), lead.id).label == "Harmonize Piano (1)"
    with pytest.raises(PlanError, match="'track 2' has no notes to harmonize"):
        requests.harmonize(song.with_tracks([piano, replace(bass, name="")]), Mask(), bass.id)
