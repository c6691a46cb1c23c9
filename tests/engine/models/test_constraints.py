"""Legal pitches: a track with notes keeps its register; an empty one gets its instrument's."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine.models import vocab
from engine.models.constraints import (
    EDGE_PULL,
    MIDDLE_PULL,
    OWN_RANGE_MARGIN,
    OWN_SPAN,
    REGISTER_PULL,
    TESSITURA,
    build_problem,
)
from engine.models.grid import GridSpec, encode
from engine.score import ChordSymbol, Mask, Note, Region, Song, Track
from engine.score.instruments import VOICE_PART_RANGES, instrument_range

BAR = 1920


def _problem(song: Song, track: Track, band: tuple[int, int] = (0, 127), **kw):
    mask = Mask.of(Region({track.id}, 0, 2 * BAR, *band))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={t.id: 1 for t in song.tracks},
                 snap_off_grid=True)
    lanes = [i for i, t in enumerate(enc.lane_tracks) if t == track.id]
    return build_problem(enc, song, mask, [track.id], **kw), lanes


def _allowed_pitches(song: Song, track: Track, band: tuple[int, int] = (0, 127),
                     **kw) -> set[int]:
    problem, lanes = _problem(song, track, band, **kw)
    ok = problem.allowed[lanes][problem.editable[lanes]]
    return {p for p in range(128) if ok[:, vocab.onset(p)].any()}


def test_a_bass_line_is_rewritten_in_its_own_register():
    bass = Track(name="Bass", program=33, notes=tuple(
        Note(36 + (i % 2) * 7, i * 480, 480) for i in range(8)))  # C2 and G2
    pitches = _allowed_pitches(Song(tracks=(bass,)), bass)
    assert min(pitches) == 36 - OWN_RANGE_MARGIN and max(pitches) == 43 + OWN_RANGE_MARGIN
    # A whole tone each side, not a fourth: with 5 a regenerated demo bass sat at its cap.
    assert (min(pitches), max(pitches)) == (34, 45)


def test_an_empty_track_gets_its_instruments_range():
    lead = Track(name="Lead", program=81, channel=1, notes=(Note(72, 0, 480),))
    for program in (33, 58, 57, 70, 72, 43, 40):  # bass, tuba, trombone, bassoon, ...
        track = Track(name="New", program=program)
        pitches = _allowed_pitches(Song(tracks=(track, lead), length=2 * BAR), track)
        assert (min(pitches), max(pitches)) == instrument_range(program), program
    tuba = Track(name="Tuba", program=58)
    assert max(_allowed_pitches(Song(tracks=(tuba, lead), length=2 * BAR), tuba)) <= 65


def test_a_track_with_notes_stays_within_its_instrument():
    # A tuba part up to F4: its own range plus the margin would reach G4, past the tuba.
    tuba = Track(name="Tuba", program=58, notes=tuple(
        Note(p, i * 240, 240) for i, p in enumerate((27, 30, 34, 41, 46, 53, 58, 65))))
    assert _allowed_pitches(Song(tracks=(tuba,)), tuba) == set(range(26, 66))
    # A file's part is what it plays, whatever its program says: its notes stay legal.
    high = Track(name="Tuba", program=58, notes=tuple(
        Note(60 + i, i * 240, 240) for i in range(8)))  # up to G4
    pitches = _allowed_pitches(Song(tracks=(high,)), high)
    assert (min(pitches), max(pitches)) == (60 - OWN_RANGE_MARGIN, 67)


def test_a_track_with_notes_is_pulled_toward_the_range_it_plays():
    # Hard toward the range most of its notes lie in, gently toward its middle half inside
    # it: pulled hard toward the middle half, a QA's rewritten alto sax kept 9 of its 32
    # semitones.
    bass = Track(name="Bass", program=33, notes=tuple(
        Note(p, i * 240, 240) for i, p in enumerate((33, 36, 36, 38, 40, 41, 43, 50))))
    problem, lanes = _problem(Song(tracks=(bass,)), bass)
    bias = problem.logit_bias[lanes[0], vocab.onset(0) : vocab.onset(127) + 1]
    _, q1, q3, hi = np.percentile([n.pitch for n in bass.notes], [OWN_SPAN[0], 25, 75,
                                                                  OWN_SPAN[1]])
    middle = (np.arange(128) >= q1) & (np.arange(128) <= q3)
    assert (bias[middle] == 0).all() and (bias[~middle] < 0).all()
    assert bias[45] == pytest.approx(-MIDDLE_PULL * (45 - q3))  # inside its range: a lean
    edge = -MIDDLE_PULL * (hi - q3)
    assert bias[50] == pytest.approx(edge - REGISTER_PULL * (50 - hi))  # its highest note
    assert bias[52] == pytest.approx(bias[50] - (REGISTER_PULL + EDGE_PULL) * 2)
    assert bias[30] < bias[35] < bias[36] == 0
    assert (problem.logit_bias[:, : vocab.ONSET] == 0).all()
    # No pull where the user gives a range.
    assert _problem(Song(tracks=(bass,)), bass, pitch_range=(40, 60))[0].logit_bias is None


def test_an_empty_track_is_pulled_to_the_lower_middle_of_its_instruments_range():
    # The general model writes near middle C whatever the instrument: a composed tuba sat
    # at the top of its range (median 62 of 26-65), a piccolo at the bottom.
    for name, program in (("Tuba", 58), ("Bass", 33), ("Piccolo", 72)):
        empty = Track(name=name, program=program)
        problem, lanes = _problem(Song(tracks=(empty,), length=2 * BAR), empty)
        bias = problem.logit_bias[lanes[0], vocab.onset(0) : vocab.onset(127) + 1]
        lo, hi = instrument_range(program)
        band = np.flatnonzero(bias == 0)
        assert lo + TESSITURA[0] * (hi - lo) <= band.min() + 1
        assert band.max() <= lo + TESSITURA[1] * (hi - lo) + 1
        assert bias[hi] < bias[(lo + hi) // 2] <= 0 and bias[lo] < 0
    # A sung part's range is already narrow; drums have no register.
    for track in (Track(name="Tenor", program=52), Track(name="Drums", is_drum=True)):
        problem, _ = _problem(Song(tracks=(track,), length=2 * BAR), track)
        assert problem.logit_bias is None or not problem.logit_bias.any()


def test_a_new_808_is_written_in_the_sub_range():
    """A producer's 808 (compose's "808" is Synth Bass 1) was written around F2-F3, a bass
    guitar's line: a track named as an 808 or a sub keeps to C1-G2, pulled to C1-C2; a
    kit named TR-808 and a plain Synth Bass keep what they had."""
    from engine.score.instruments import SUB_BASS_RANGE, SUB_BASS_REGISTER, sub_bass_part

    for name, program in (("808", 38), ("808 Bass", 39), ("Sub", 38), ("sub bass", 33),
                          ("808s", 38), ("Sub-Bass 2", 39)):
        assert sub_bass_part(name, program), name
        sub = Track(name=name, program=program)
        song = Song(tracks=(sub,), length=2 * BAR)
        pitches = _allowed_pitches(song, sub)
        lo = max(SUB_BASS_RANGE[0], instrument_range(program)[0])
        assert (min(pitches), max(pitches)) == (lo, SUB_BASS_RANGE[1]), name
        problem, lanes = _problem(song, sub)
        bias = problem.logit_bias[lanes[0], vocab.onset(0) : vocab.onset(127) + 1]
        band = np.flatnonzero(bias == 0)
        assert (band.min(), band.max()) == SUB_BASS_REGISTER, name
        assert bias[41] < bias[36] == 0  # F2 leans away, C2 is home
    for name, program, drum in (("TR-808", 25, True), ("808", 25, True), ("Sub Pad", 89, False),
                                ("Synth Bass", 38, False), ("Sub", 73, False),
                                ("808", 81, False)):  # a lead plays no sub (C4 up)
        assert not sub_bass_part(name, program, drum), name
    synth = Track(name="Synth Bass", program=38)
    pitches = _allowed_pitches(Song(tracks=(synth,), length=2 * BAR), synth)
    assert (min(pitches), max(pitches)) == instrument_range(38)


def test_new_sung_parts_get_their_own_ranges_not_the_whole_choirs():
    # harmonize's SATB voices: a Tenor above the Alto or a Bass in the alto's register
    # was possible with the choir's one range.
    soprano = Track(name="Soprano", program=52, notes=(Note(72, 0, 480),))
    parts = [Track(name=n, program=52, channel=i + 1)
             for i, n in enumerate(("Alto", "Tenor", "Bass"))]
    song = Song(tracks=(soprano, *parts), length=2 * BAR)
    for part in parts:
        pitches = _allowed_pitches(song, part)
        lo, hi = VOICE_PART_RANGES[part.name.lower()]
        choir_lo, choir_hi = instrument_range(52)  # and never past what a choir sings
        assert (min(pitches), max(pitches)) == (max(lo, choir_lo), min(hi, choir_hi))
    # A Bass part on an alto sax keeps to the sax (harmonize --accompaniment satb once
    # wrote it down to D2, a fifth below the instrument).
    sax_bass = Track(name="Bass", program=65)
    pitches = _allowed_pitches(Song(tracks=(soprano, sax_bass), length=2 * BAR), sax_bass)
    assert (min(pitches), max(pitches)) == (instrument_range(65)[0], VOICE_PART_RANGES["bass"][1])
    bass_guitar = Track(name="Bass", program=33)  # a band's Bass keeps its instrument's range
    pitches = _allowed_pitches(Song(tracks=(soprano, bass_guitar), length=2 * BAR), bass_guitar)
    assert (min(pitches), max(pitches)) == instrument_range(33)


def test_written_voices_keep_to_a_choirs_ranges_lower_only_under_a_low_melody():
    # A choir director's QA: chorale-jsb's basses went to C2-D2, partita-base's to E4 and
    # its tenors to A4 (a choir sings S C4-G5, A G3-D5, T C3-G4, B E2-C4) — on the
    # program harmonize gives them under a tune with no instrument (0), as on a choir's.
    def ranges(tune_low: int, program: int) -> list[tuple[int, int]]:
        tune = Track(name="Soprano", program=program,
                     notes=(Note(tune_low, 0, 480), Note(72, 480, 480)))
        parts = [Track(name=n, program=program, channel=i + 1)
                 for i, n in enumerate(("Alto", "Tenor", "Bass"))]
        song = Song(tracks=(tune, *parts), length=2 * BAR)
        return [(min(p), max(p)) for p in (_allowed_pitches(song, t) for t in parts)]

    choir = [(55, 74), (48, 67), (40, 60)]
    assert ranges(64, 0) == ranges(60, 52) == choir
    # A tune that dips under C4 makes room under it, as far as it goes below, at most a
    # tone: to B3, a semitone; to G3, a tone.
    assert ranges(59, 0) == [(lo - 1, hi) for lo, hi in choir]
    assert ranges(55, 52) == [(lo - 2, hi) for lo, hi in choir]
    # Another part under it keeps its instrument's range, however low the tune lies.
    tune = Track(name="Melody", notes=(Note(55, 0, 480),))
    cello = Track(name="Cello", program=42, channel=1)
    pitches = _allowed_pitches(Song(tracks=(tune, cello), length=2 * BAR), cello)
    assert (min(pitches), max(pitches)) == instrument_range(42)


def _bass() -> Track:
    return Track(name="Bass", program=33, notes=tuple(
        Note(36 + (i % 2) * 7, i * 480, 240) for i in range(8)))  # register 34..45


def test_the_users_pitch_range_replaces_the_register():
    bass = _bass()  # a bass guitar: E1-E4
    song = Song(tracks=(bass,))
    # Above the bass line's register: the explicit range wins, it does not leave nothing.
    assert _allowed_pitches(song, bass, pitch_range=(55, 64)) == set(range(55, 65))
    # Overlapping it: the range, not just its overlap with the register.
    assert _allowed_pitches(song, bass, pitch_range=(40, 60)) == set(range(40, 61))
    assert _allowed_pitches(song, bass, pitch_range=(64, 55)) == set(range(55, 65))


def test_the_users_pitch_range_keeps_within_what_the_part_plays():
    # QA: --range C0-C8 on an orchestra wrote a violin's Bb2 (below G3), a tuba's G5, a
    # horn's A5 and a double bass's F5.
    for name, program in (("Violin I", 40), ("Tuba", 58), ("Horn in F 1", 60),
                          ("Contrabass", 43), ("Piccolo", 72)):
        part = Track(name=name, program=program)
        lo, hi = instrument_range(program)
        song = Song(tracks=(part,), length=2 * BAR)
        assert _allowed_pitches(song, part, pitch_range=(12, 108)) == set(
            range(max(lo, 12), min(hi, 108) + 1)), name
    bass = _bass()
    assert _allowed_pitches(Song(tracks=(bass,)), bass, pitch_range=(40, 70)) == set(
        range(40, 65))  # a bass guitar's top is E4
    # A file's part is what it plays: a tuba's notes up to G4 stay in its reach.
    high = Track(name="Tuba", program=58, notes=tuple(Note(60 + i, i * 240, 240)
                                                      for i in range(8)))
    assert max(_allowed_pitches(Song(tracks=(high,)), high, pitch_range=(60, 80))) == 67


def test_pitch_range_with_a_key_and_the_fallbacks():
    bass = _bass()
    song = Song(tracks=(bass,))
    assert _allowed_pitches(song, bass, pitch_range=(50, 60), key="C") == {
        p for p in range(50, 61) if p % 12 in (0, 2, 4, 5, 7, 9, 11)}
    # No pitch of the key in the range: the range wins over the key.
    assert _allowed_pitches(song, bass, pitch_range=(61, 61), key="C") == {61}
    # A mask band inside the range: the band ∩ the range.
    assert _allowed_pitches(song, bass, (58, 62), pitch_range=(55, 64)) == set(range(58, 63))
    # A band the range misses: the band with the register (a note outside the band would
    # not be in the mask), else the band alone.
    assert _allowed_pitches(song, bass, (40, 50), pitch_range=(55, 64)) == set(range(40, 46))
    assert _allowed_pitches(song, bass, (50, 52), pitch_range=(55, 64)) == {50, 51, 52}
    # No range named: a band the bass cannot reach gets no new note (it wrote an A5 when
    # painted together with a lead's band).
    assert _allowed_pitches(song, bass, (79, 84)) == set()


def _drum_classes(song: Song, drums: Track, band=(0, 127), **kw) -> set[int]:
    mask = Mask.of(Region({drums.id}, 0, 2 * BAR, *band))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={drums.id: 1}, snap_off_grid=True)
    problem = build_problem(enc, song, mask, [drums.id], **kw)
    ok = problem.allowed[0][problem.editable[0]]
    return {k for k in range(vocab.N_DRUM_CLASSES) if ok[:, vocab.drum(k)].any()}


def test_a_band_on_drums_keeps_the_classes_whose_kit_notes_lie_in_it():
    # A clap backbeat: the snare class is the clap, 39, so a band that holds 38 but not
    # 39 leaves the snare out; one that holds 39 keeps it.
    drums = Track(name="Drums", is_drum=True, channel=9,
                  notes=(Note(36, 0, 120), Note(39, 480, 120), Note(70, 0, 120)))
    song = Song(tracks=(drums,), length=2 * BAR)
    kick, snare, hat = 0, 1, 2  # the maracas keep time: they are its closed hat
    assert _drum_classes(song, drums) == set(range(vocab.N_DRUM_CLASSES))
    assert _drum_classes(song, drums, (35, 38)) == {kick}
    assert _drum_classes(song, drums, (36, 39)) == {kick, snare}
    assert _drum_classes(song, drums, (60, 81)) == {hat}  # the maracas


def test_a_pitch_range_on_drums_keeps_the_classes_whose_kit_notes_lie_in_it():
    drums = Track(name="Drums", is_drum=True, channel=9,
                  notes=(Note(36, 0, 120), Note(39, 480, 120), Note(70, 0, 120)))
    song = Song(tracks=(drums,), length=2 * BAR)
    kick, snare, hat = 0, 1, 2
    assert _drum_classes(song, drums, pitch_range=(35, 38)) == {kick}  # 38: not its snare
    assert _drum_classes(song, drums, pitch_range=(35, 39)) == {kick, snare}
    assert _drum_classes(song, drums, (36, 127), pitch_range=(60, 81)) == {hat}  # maracas
    assert _drum_classes(song, drums, pitch_range=(84, 96)) == set()  # no drum there


# -- a chorale's close --------------------------------------------------------------------------
def _chorale(last_pitch: int, bass_name: str = "Bass"):
    from engine.score import Mask, Note, Region, Song, Track

    q = 480
    tune = [67, 69, 71, 72, 74, 71, 69, last_pitch]
    soprano = Track("Soprano", notes=tuple(Note(p, i * q, q) for i, p in enumerate(tune)))
    voices = [Track("Alto"), Track("Tenor"), Track(bass_name)]
    song = Song(tracks=(soprano, *voices), ppq=q)
    mask = Mask.of(Region(frozenset(t.id for t in voices), 0, 8 * q))
    return song, mask, voices


def test_a_chorale_closes_on_its_tonic_when_the_melody_does():
    from engine.models.constraints import final_cadence

    song, mask, (alto, tenor, bass) = _chorale(67)  # G major, ending on G
    c = final_cadence(song, mask, "G")
    assert (c.tick, c.tonic, c.bass, c.voices) == (7 * 480, 7, bass.id,
                                                   frozenset({alto.id, tenor.id}))
    assert c.chord == frozenset({7, 11, 2})
    # C major's notes ending on A: the relative minor's close, sung with a Picardy
    # third (as 123 of Bach's 140 minor chorales end); other parts take one third, not
    # both in two voices (a blues read as F minor closed on A and Ab at once: QA): the
    # minor one, or the one the last chord symbol on the tonic has.
    song, mask, _ = _chorale(69)
    c = final_cadence(song, mask, "C")
    assert c.tonic == 9 and c.chord == frozenset({9, 1, 4}) and c.third == frozenset({1})
    song, mask, _ = _chorale(69, bass_name="Cello")
    c = final_cadence(song, mask, "C")
    assert c.tonic == 9 and c.chord == frozenset({9, 0, 4}) and c.third == frozenset({0})
    song = replace(song, chords=(ChordSymbol(0, "Dm"), ChordSymbol(6 * 480, "A7")))
    c = final_cadence(song, mask, "C")
    assert c.chord == frozenset({9, 1, 4}) and c.third == frozenset({1})
    # Ending on the third: only for a key the user named; never without a key.
    song, mask, _ = _chorale(71)
    assert final_cadence(song, mask, "G") is None
    assert final_cadence(song, mask, "G", named=True).tonic == 7
    assert final_cadence(song, mask, None) is None
    # No bass among the written parts: the chord still closes, no part held to the root.
    song, mask, voices = _chorale(67, bass_name="Cello")
    c = final_cadence(song, mask, "G")
    assert c.bass is None and c.voices == frozenset(t.id for t in voices)


def test_a_band_harmonization_closes_on_the_tonic_chord_with_the_bass_on_the_root():
    # An 8-bar D-major tune harmonized with Piano and Bass ended on D in the bass in 1 of
    # 8 takes (QA): the bass is found by its instrument, the drums are left alone.
    from engine.models.constraints import final_cadence
    from engine.score import DRUM_CHANNEL, Mask, Note, Region, Song, Track

    q = 480
    tune = Track("Melody", program=73, notes=tuple(
        Note(p, i * q, q) for i, p in enumerate([66, 64, 62, 64, 66, 66, 64, 62])))
    piano = Track("Piano", program=0, channel=1)
    bass = Track("E. Bass", program=33, channel=2)
    drums = Track("Drums", is_drum=True, channel=DRUM_CHANNEL)
    song = Song(tracks=(tune, piano, bass, drums), ppq=q)
    mask = Mask.of(Region(frozenset({piano.id, bass.id, drums.id}), 0, 8 * q))
    c = final_cadence(song, mask, "D")
    assert (c.tonic, c.bass, c.voices) == (2, bass.id, frozenset({piano.id}))


def test_the_close_lets_the_bass_strike_only_the_tonic_and_hold_it():
    from engine.models.constraints import build_problem, final_cadence
    from engine.models.grid import encode

    song, mask, (alto, tenor, bass) = _chorale(67)
    cadence = final_cadence(song, mask, "G")
    enc = encode(song, start_tick=0, end_tick=8 * 480, lanes={t.id: 1 for t in song.tracks})
    problem = build_problem(enc, song, mask, {alto.id, tenor.id, bass.id}, cadence=cadence)
    lane = {t: i for i, t in enumerate(enc.lane_tracks)}
    ticks = enc.step_ticks[:-1]
    first = int(np.flatnonzero(ticks >= 7 * 480)[0])
    onsets = problem.allowed[lane[bass.id], first, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    assert onsets.any() and {p % 12 for p in np.flatnonzero(onsets)} == {7}
    assert not problem.allowed[lane[bass.id], first, vocab.REST]
    later = problem.allowed[lane[bass.id], first + 1]
    assert later[vocab.HOLD] and later.sum() == 1  # held to the end
    inner = problem.allowed[lane[alto.id], first, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    assert {p % 12 for p in np.flatnonzero(inner)} == {11}  # the alto takes the third (B)
    inner = problem.allowed[lane[tenor.id], first, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    assert {p % 12 for p in np.flatnonzero(inner)} == {7, 2}  # root or fifth: one third
    # Under the alto's only B below the melody's G4, B3: a tenor on D4 crossed it.
    assert np.flatnonzero(inner).max() <= 59
    before = problem.allowed[lane[bass.id], first - 1]
    assert before[vocab.HOLD] and before[vocab.ONSET : vocab.DRUM].sum() > 3  # free before
    assert not before[vocab.REST]  # a voice part sings on with the melody


def test_a_tune_stepping_2_1_into_its_close_has_the_dominant_under_its_2():
    """A choir director's QA: a hymn's A–G–F ending closed IV–I or ii–I in every take,
    its bass in octaves with the tune into the last chord. Under the tune's 2nd degree
    before the close the bass strikes the dominant, the other voices the V7 chord."""
    from engine.models.constraints import build_problem, final_cadence
    from engine.models.grid import encode

    song, mask, (alto, tenor, bass) = _chorale(67)  # ... B A G in G major
    cadence = final_cadence(song, mask, "G")
    assert cadence.approach == 6 * 480
    enc = encode(song, start_tick=0, end_tick=8 * 480, lanes={t.id: 1 for t in song.tracks})
    problem = build_problem(enc, song, mask, {alto.id, tenor.id, bass.id}, cadence=cadence)
    lane = {t: i for i, t in enumerate(enc.lane_tracks)}
    at = int(np.flatnonzero(enc.step_ticks[:-1] == 6 * 480)[0])

    def classes(track):
        onsets = problem.allowed[lane[track.id], at, vocab.ONSET : vocab.ONSET + 128]
        return {p % 12 for p in np.flatnonzero(onsets)}

    assert classes(bass) == {2}  # D under the tune's A
    assert classes(alto) <= {2, 6, 9, 0} and classes(tenor) <= {2, 6, 9, 0}
    after = problem.allowed[lane[bass.id], at + 1]  # on under the A: within V7 (D F♯ A C)
    moves = {p % 12 for p in np.flatnonzero(after[vocab.ONSET : vocab.ONSET + 128])}
    assert after[vocab.HOLD] and moves and moves <= {2, 6, 9, 0}
    # A leap into the tonic, or the 4th before it: the model decides.
    q = 480
    for tune in ([67, 69, 71, 72, 74, 71, 74, 67], [67, 69, 71, 72, 74, 71, 72, 67]):
        song = Song(tracks=(Track("Soprano", notes=tuple(
            Note(p, i * q, q) for i, p in enumerate(tune))), alto, tenor, bass), ppq=q)
        assert final_cadence(song, mask, "G").approach is None


def test_a_tune_ending_on_middle_c_gets_its_third_from_a_voice_below_it():
    """The alto's only E was E4, over the tune's final C4 (QA: 5 of 5 takes), and the
    voices doubled the third in 10 of 39 takes: the tenor takes the E now, the others the
    root or the fifth, none above the melody."""
    from engine.models.constraints import build_problem, final_cadence
    from engine.models.grid import encode
    from engine.score import Mask, Note, Region, Song, Track

    q = 480
    tune = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 60]  # Ode to Joy
    soprano = Track("Soprano", notes=tuple(Note(p, i * q, q) for i, p in enumerate(tune)))
    alto, tenor, bass = Track("Alto"), Track("Tenor"), Track("Bass")
    song = Song(tracks=(soprano, alto, tenor, bass), ppq=q)
    mask = Mask.of(Region(frozenset({alto.id, tenor.id, bass.id}), 0, len(tune) * q))
    cadence = final_cadence(song, mask, "C")
    enc = encode(song, start_tick=0, end_tick=len(tune) * q,
                 lanes={t.id: 1 for t in song.tracks})
    problem = build_problem(enc, song, mask, mask.track_ids, cadence=cadence)
    lane = {t: i for i, t in enumerate(enc.lane_tracks)}
    first = int(np.flatnonzero(enc.step_ticks[:-1] >= (len(tune) - 1) * q)[0])

    def pitches(track):
        ok = problem.allowed[lane[track.id], first, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
        return set(np.flatnonzero(ok).tolist())

    assert pitches(tenor) and {p % 12 for p in pitches(tenor)} == {4} and max(pitches(tenor)) < 60
    assert pitches(alto) and {p % 12 for p in pitches(alto)} <= {0, 7} and max(pitches(alto)) <= 60
    assert {p % 12 for p in pitches(bass)} == {0} and max(pitches(bass)) <= 60


def test_a_melody_in_no_clear_key_closes_on_its_last_note_when_its_notes_fit_that_key():
    # A C-major chorale tune with three B-flats fits C major by 0.925 (under the 0.95 a key
    # needs around a region): it had no cadence, and all three takes ended off the tonic.
    from engine.models.constraints import ending_key, final_cadence
    from engine.score import Mask, Note, Region, Song, Track

    q = 480
    tune = [72, 71, 69, 67, 65, 64, 62, 64, 65, 67, 69, 71, 72, 74, 72, 70, 69, 67, 65, 67,
            69, 70, 69, 67, 64, 65, 67, 69, 71, 72, 67, 65, 64, 62, 64, 70, 69, 67, 71, 72]
    soprano = Track("Soprano", notes=tuple(Note(p, i * q, q) for i, p in enumerate(tune)))
    voices = [Track("Alto"), Track("Tenor"), Track("Bass")]
    song = Song(tracks=(soprano, *voices), ppq=q)
    mask = Mask.of(Region(frozenset(t.id for t in voices), 0, len(tune) * q))
    c = final_cadence(song, mask, None)
    assert c is not None and c.tonic == 0 and c.third == frozenset({4})
    pentatonic = [Note(p, i * q, q) for i, p in enumerate([62, 67, 71, 67, 71, 69, 67, 64, 62,
                                                           62, 67, 71, 67, 71, 69, 74, 67])]
    assert ending_key(pentatonic, pentatonic[-1]) == "G"  # Amazing Grace's shape, on G
    on_third = [Note(p, i * q, q) for i, p in enumerate([67, 69, 71, 72, 74, 71, 69, 71])]
    assert ending_key(on_third, on_third[-1]) is None  # a G-major tune ending on B


def test_a_melody_ending_on_the_third_leaves_the_voices_free_of_it():
    from engine.models.constraints import final_cadence

    song, mask, _ = _chorale(71)
    assert final_cadence(song, mask, "G", named=True).third == frozenset()


def test_voices_keep_their_order_where_neighbours_sound():
    from engine.models.voice_leading import crossing_motion, voice_order
    from engine.score import Song, Track

    s, a, t, b = (Track(n) for n in ("Soprano", "Alto", "Tenor", "Bass"))
    piano = Track("Piano")
    song = Song(tracks=(b, t, s, a, piano))  # any track order: ranked by the part's range
    order = voice_order(song, [b.id, t.id, s.id, a.id, piano.id, piano.id])
    assert order.tolist() == [3, 2, 0, 1, -1, -1]  # the piano's chord lanes are free
    # One column: soprano G4, tenor masked, bass C3; the alto's cell is to be drawn.
    grid = np.full((4, 3), vocab.MASK)
    grid[2, :] = vocab.ONSET + 67  # soprano (lane 2)
    grid[0, :] = vocab.ONSET + 48  # bass (lane 0)
    padded = np.concatenate([np.full((4, 1), vocab.REST), grid, np.full((4, 1), vocab.REST)], 1)
    onsets, hold = crossing_motion(padded, np.array([3]), np.array([1]), order[:4])
    allowed = np.flatnonzero(~onsets[0])
    assert (allowed.min(), allowed.max()) == (48, 67)  # between the bass and the soprano
    assert not hold[0]


def test_a_melody_is_ranked_by_its_notes_not_its_instruments_range():
    # A teacher's QA: a tune in C5–B♭5 on a track named "Voice" (Choir Aahs: the whole
    # choir's range, 36–84) was ranked under the Alto, which then had to sound above it
    # and held one note for 15 beats.
    from engine.models.voice_leading import voice_order
    from engine.score import Note, Song, Track

    tune = Track("Voice", program=52,
                 notes=tuple(Note(72 + i % 8, i * 480, 480) for i in range(16)))
    alto, tenor, bass = (Track(n, program=52) for n in ("Alto", "Tenor", "Bass"))
    song = Song(tracks=(tune, alto, tenor, bass))
    order = voice_order(song, [t.id for t in song.tracks])
    assert order.tolist() == [0, 1, 2, 3]
    # A low tune is ranked low: a bass line harmonized above.
    low = Track("Voice", program=52, notes=tuple(Note(43 + i % 5, i * 480, 480)
                                                 for i in range(16)))
    song = Song(tracks=(low, Track("Soprano", program=52), alto, tenor))
    assert voice_order(song, [t.id for t in song.tracks]).tolist() == [3, 0, 1, 2]


def test_a_tune_ending_off_the_context_keys_tonic_closes_on_its_own_ending():
    # JSB valid #11: G major's notes and one F#, ending on A. The context key (G) has no
    # close on A, so no close was made and all three takes ended off the tonic.
    from engine.models.constraints import final_cadence
    from engine.score import Mask, Note, Region, Song, Track

    q = 480
    tune = [69, 71, 72, 74, 72, 71, 69, 67, 69, 71, 72, 71, 69, 67, 66, 67, 69, 72, 71, 69,
            67, 69, 71, 72, 71, 69]
    soprano = Track("Soprano", notes=tuple(Note(p, i * q, q) for i, p in enumerate(tune)))
    voices = [Track("Alto"), Track("Tenor"), Track("Bass")]
    song = Song(tracks=(soprano, *voices), ppq=q)
    mask = Mask.of(Region(frozenset(t.id for t in voices), 0, len(tune) * q))
    c = final_cadence(song, mask, "G")
    assert c is not None and c.tonic == 9 and 1 in c.chord  # A minor (C♯: Picardy)
    # A named key is kept: in G, a tune ending on A ends on the dominant (a half close).
    assert final_cadence(song, mask, "G", named=True).tonic == 2


def _bass_under(piano: Track, bass: Track, bars: int = 2):
    """The allowed onset pitch classes (and whether it may rest) of a written bass on each
    bar's downbeat under ``piano``, and the problem."""
    from engine.models.constraints import build_problem
    from engine.models.grid import encode

    q = 480
    song = Song(tracks=(piano, bass), ppq=q)
    mask = Mask.of(Region({bass.id}, 0, bars * 4 * q))
    enc = encode(song, start_tick=0, end_tick=bars * 4 * q, lanes={piano.id: 3, bass.id: 1},
                 snap_off_grid=True)
    problem = build_problem(enc, song, mask, {bass.id})
    lane = enc.lane_tracks.index(bass.id)
    ticks = enc.step_ticks[:-1]
    out = []
    for bar in range(bars):
        cell = int(np.flatnonzero(ticks == bar * 4 * q)[0])
        onsets = problem.allowed[lane, cell, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
        out.append(({p % 12 for p in np.flatnonzero(onsets)},
                    bool(problem.allowed[lane, cell, vocab.REST])))
    return out, problem, lane, ticks


def test_a_bass_under_chords_that_stay_strikes_the_root_on_each_downbeat():
    # A regenerated bass sat on a chord tone on 28-31 % of downbeats, a tritone off at
    # times; held to chord tones, a producer's 808 took the root on 0-1 of 6-8.
    q = 480
    piano = Track("Piano", notes=(Note(62, 0, 4 * q), Note(65, 0, 4 * q), Note(69, 0, 4 * q),
                                  Note(58, 4 * q, 4 * q), Note(62, 4 * q, 4 * q)))
    bass = Track("Bass", program=33)
    found, problem, lane, ticks = _bass_under(piano, bass)
    # D minor, then B-flat (two notes): the roots, and a new bass may still rest.
    assert found == [({2}, True), ({10}, True)]
    off_beat = int(np.flatnonzero(ticks == q)[0])
    onsets = problem.allowed[lane, off_beat, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    assert len({p % 12 for p in np.flatnonzero(onsets)}) > 3  # passing notes stay free


def test_the_root_is_the_chords_not_the_lowest_note_and_an_unclear_chord_keeps_its_tones():
    q = 480
    # C major over its third (E-G-C), then C-F-G (Csus4 or Fsus2: no one root).
    piano = Track("Piano", notes=(Note(64, 0, 4 * q), Note(67, 0, 4 * q), Note(72, 0, 4 * q),
                                  Note(60, 4 * q, 4 * q), Note(65, 4 * q, 4 * q),
                                  Note(67, 4 * q, 4 * q)))
    found, *_ = _bass_under(piano, Track("Bass", program=33))
    assert found == [({0}, True), ({0, 5, 7}, True)]


def test_a_melody_alone_holds_the_bass_to_nothing_on_its_downbeats():
    # An arpeggio implies a chord; only parts sounding one together name it.
    q = 480
    tune = Track("Flute", program=73, notes=tuple(  # G-B-D-B in 16ths, four times a bar
        Note(p, b * 4 * q + i * q // 4, q // 4) for b in range(2)
        for i, p in enumerate((67, 71, 74, 71) * 4)))
    found, *_ = _bass_under(tune, Track("Bass", program=33))
    assert all(len(pcs) > 3 and rest for pcs, rest in found)


def test_a_bass_that_strikes_its_downbeats_strikes_the_root_there():
    # Allowed to rest, a regenerated 808 struck 43 of 64 downbeats, the producer's 64.
    q = 480
    piano = Track("Piano", notes=tuple(Note(p, b * 4 * q, 4 * q) for b in range(4)
                                       for p in ((57, 60, 64, 67) if b % 2 else (60, 64, 67))))
    struck = Track("Bass", program=33, notes=tuple(
        Note(36 + 9 * (b % 2), b * 4 * q + s * q, q) for b in range(4) for s in (0, 2)))
    found, *_ = _bass_under(piano, struck, bars=4)
    assert found == [({0}, False), ({9}, False)] * 2  # C, then Am7: no rest, no hold
    late = Track("Bass", program=33, notes=tuple(  # a bass that plays across the bar lines
        Note(36 + 9 * (b % 2), b * 4 * q + q, 2 * q) for b in range(4)))
    found, *_ = _bass_under(piano, late, bars=4)
    assert found == [({0}, True), ({9}, True)] * 2


# -- a piece's close ----------------------------------------------------------------------------
def _band(bars: int):
    from engine.score import DRUM_CHANNEL, Mask, Region, Song, TimeSignature, Track

    flute = Track("Flute", program=73)
    piano = Track("Piano", program=0, channel=1)
    bass = Track("Bass", program=33, channel=2)
    drums = Track("Drums", is_drum=True, channel=DRUM_CHANNEL)
    song = Song(tracks=(flute, piano, bass, drums), ppq=480,
                time_signatures=(TimeSignature(0, 6, 8),), length=bars * 1440)
    mask = Mask.of(Region(frozenset(t.id for t in song.tracks), 0, bars * 1440))
    return song, mask, (flute, piano, bass, drums)


def test_a_piece_written_whole_closes_on_the_home_chord_in_its_last_bar():
    """Composed 8-bar pieces ended their melody on the tonic in 4 of 24 (QA), mostly on
    an offbeat 16th before the end; now the last bar is the tonic chord, held."""
    from engine.models.constraints import CLOSE_MIN_BARS, build_problem, piece_close
    from engine.models.grid import encode
    from engine.score import Mask, Region

    song, mask, (flute, piano, bass, drums) = _band(8)
    c = piece_close(song, mask, "Dm")
    assert (c.tick, c.tonic, c.bass, c.lead) == (7 * 1440, 2, bass.id, flute.id)
    assert c.voices == frozenset({piano.id}) and c.kits == frozenset({drums.id})
    assert c.chord == frozenset({2, 5, 9}) and c.third == frozenset({5})
    enc = encode(song, start_tick=0, end_tick=8 * 1440, lanes={t.id: 1 for t in song.tracks})
    problem = build_problem(enc, song, mask, mask.track_ids, cadence=c)
    lane = {t: i for i, t in enumerate(enc.lane_tracks)}
    first = int(np.flatnonzero(enc.step_ticks[:-1] >= 7 * 1440)[0])

    def pitch_classes(track, step):
        ok = problem.allowed[lane[track.id], step, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
        return {p % 12 for p in np.flatnonzero(ok)}

    assert pitch_classes(flute, first) == pitch_classes(bass, first) == {2}  # the tonic
    assert pitch_classes(piano, first) == {5}  # the lone one-lane part takes the third
    assert problem.allowed[lane[flute.id], first + 1].nonzero()[0].tolist() == [vocab.HOLD]
    kit = problem.allowed[lane[drums.id]]
    assert set(np.flatnonzero(kit[first])) == {vocab.REST, vocab.drum(0), vocab.drum(6)}
    assert set(np.flatnonzero(kit[first + 1])) == {vocab.REST}  # one hit, then silence
    assert pitch_classes(bass, first - 1) - {2}  # free before the last bar
    # A sketch shorter than a phrase, a piece with other music, no key: no close.
    short_song, short_mask, _ = _band(CLOSE_MIN_BARS - 1)
    assert piece_close(short_song, short_mask, "D") is None
    assert piece_close(*_band(CLOSE_MIN_BARS)[:2], "D") is not None
    assert piece_close(song, mask, None) is None
    # A groove composed alone stops too (QA: a Drums-only compose never did), in no key.
    kit_only = song.with_tracks([drums])
    alone = piece_close(kit_only, Mask.of(Region({drums.id}, 0, 8 * 1440)), None)
    assert alone is not None and alone.kits == {drums.id} and alone.tick == 7 * 1440


def test_a_continuation_closes_only_when_asked_and_nothing_else_sounds_there():
    from engine.models.constraints import piece_close
    from engine.score import Mask, Note, Region

    song, _, (flute, piano, bass, drums) = _band(8)
    song = song.with_tracks([flute.with_notes((Note(74, 0, 1440),)), piano, bass, drums])
    later = Mask.of(Region(frozenset(t.id for t in song.tracks), 4 * 1440, 8 * 1440))
    assert piece_close(song, later, "D") is None  # "auto": the tune was written before
    assert piece_close(song, later, "D", always=True).tick == 7 * 1440  # "close"
    some = Mask.of(Region(frozenset({piano.id, bass.id}), 4 * 1440, 8 * 1440))
    held = song.with_tracks([flute.with_notes((Note(74, 0, 8 * 1440),)), piano, bass, drums])
    assert piece_close(held, some, "D", always=True) is None  # the flute sounds on: no close
    early = Mask.of(Region(frozenset(t.id for t in song.tracks), 0, 6 * 1440))
    assert piece_close(song, early, "D", always=True) is None  # not to the end


def test_a_melody_ending_on_the_second_degree_or_leading_tone_ends_on_the_dominant():
    """A producer's QA: a C-major tune ending on D got a cluster (B under C–E–F)."""
    from engine.models.constraints import final_cadence

    song, mask, _ = _chorale(74)  # G major, ending on D: the 5th
    assert final_cadence(song, mask, "G") is None  # I or V: the model decides
    song, mask, (_, _, bass) = _chorale(69)  # ending on A, the 2nd degree of G major (named: in
    c = final_cadence(song, mask, "G", named=True)  # "auto" its notes read as A minor)
    assert (c.tonic, c.chord, c.bass) == (2, frozenset({2, 6, 9}), bass.id)  # D major
    assert c.third == frozenset({6})  # a voice takes the leading tone F#
    song, mask, _ = _chorale(66)  # ending on F#, the leading tone: the melody has it
    assert final_cadence(song, mask, "G", named=True).third == frozenset()
    song, mask, _ = _chorale(71)  # A minor's 2nd degree, B: V is E major (G#)
    assert final_cadence(song, mask, "Am", named=True).chord == frozenset({4, 8, 11})


def _breath_problem(lower: Track, *, kept_bass: bool = False):
    """A soprano singing beats 1–3 of bar 1, resting a beat and a half (beat 4 to the
    middle of bar 2's beat 2), then singing again; ``lower`` written over both bars."""
    sop = Track(name="Soprano", program=52, notes=(
        Note(67, 0, 3 * 480), Note(69, BAR + 720, BAR - 720)))
    tracks = [sop, lower]
    if kept_bass:
        tracks.append(Track(name="Bass", program=52, notes=(Note(43, 0, 2 * BAR),)))
    song = Song(tracks=tuple(tracks))
    mask = Mask.of(Region({lower.id}, 0, 2 * BAR))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={t.id: 1 for t in song.tracks},
                 snap_off_grid=True)
    lane = enc.lane_tracks.index(lower.id)
    problem = build_problem(enc, song, mask, [lower.id])
    only_rest = ~problem.allowed[lane].any(axis=1) | (
        problem.allowed[lane].sum(axis=1) == 1) & problem.allowed[lane, :, vocab.REST]
    ticks = enc.step_ticks[:-1]
    return only_rest, ticks


def _alto_under(soprano: tuple[Note, ...], bars: int):
    """An alto written over ``bars`` bars under a kept soprano of these notes: its legal
    onsets per cell, the cells' ticks and which cells it writes."""
    sop = Track(name="Soprano", program=52, notes=soprano)
    alto = Track(name="Alto", program=52)
    song = Song(tracks=(sop, alto))
    enc = encode(song, GridSpec(), 0, bars * BAR, lanes={sop.id: 1, alto.id: 1},
                 snap_off_grid=True)
    problem = build_problem(enc, song, Mask.of(Region({alto.id}, 0, bars * BAR)), [alto.id])
    lane = enc.lane_tracks.index(alto.id)
    onsets = problem.allowed[lane, :, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    return onsets, enc.step_ticks[:-1], problem.editable[lane]


def test_written_voices_rest_where_the_choir_breathes():
    rest, ticks = _breath_problem(Track(name="Alto", program=52))
    # The soprano's rest (beat 4 of bar 1 to 1½ beats into bar 2): the alto rests too.
    gap = (ticks >= 3 * 480) & (ticks < BAR + 720)
    assert rest[gap].all()
    assert not rest[~gap].any()  # where the soprano sings, the alto may


def _alto_tokens(soprano: Track, *kept: Track, bars: int = 2):
    """An Alto written for ``bars`` bars under ``soprano`` (and ``kept`` tracks): its
    allowed tokens per cell, and each cell's index by tick."""
    alto = Track(name="Alto", program=52)
    song = Song(tracks=(soprano, *kept, alto))
    enc = encode(song, GridSpec(), 0, bars * BAR, lanes={t.id: 1 for t in song.tracks},
                 snap_off_grid=True)
    problem = build_problem(enc, song, Mask.of(Region({alto.id}, 0, bars * BAR)), [alto.id])
    at = {int(t): i for i, t in enumerate(enc.step_ticks[:-1])}
    return problem.allowed[enc.lane_tracks.index(alto.id)], at


def test_the_voices_come_in_with_the_pickup_after_a_breath_and_hold_the_close_before_it():
    """A church musician's QA: under a hymn tune the lower voices stayed silent on the
    pickup after a breath (0 of 18 sung by all four) and moved under the long notes that
    end phrases (13 of 27); a choir sings the pickup together and holds the close."""
    sop = Track(name="Soprano", program=52, notes=(
        Note(67, 0, 480), Note(69, 480, 480), Note(71, 960, 960),  # ... a half-note close
        Note(72, BAR + 480, 480), Note(74, BAR + 960, 960)))  # a beat's breath, a pickup
    ok, at = _alto_tokens(sop)
    sounds = ok[:, vocab.ONSET:].any(axis=1)
    close, pickup = at[960], at[BAR + 480]
    assert not ok[close, vocab.REST] and sounds[close]  # it sings with the close ...
    held = ok[close + 1 : at[BAR]]
    assert held[:, vocab.HOLD].all() and held.sum(axis=1).tolist() == [1] * len(held)
    breath = ok[at[BAR] : pickup]  # ... rests with the breath ...
    assert breath[:, vocab.REST].all() and breath.sum(axis=1).tolist() == [1] * len(breath)
    assert not ok[pickup, vocab.REST] and not ok[pickup, vocab.HOLD] and sounds[pickup]
    assert not ok[pickup + 1 : pickup + 4, vocab.REST].any()  # sung for the pickup's length
    assert ok[pickup + 4, vocab.ONSET:].any() and ok[at[480] + 1, vocab.ONSET:].any()  # free
    assert ok[pickup + 4, vocab.HOLD] and ok[at[480] + 1, vocab.HOLD]  # elsewhere
    # A close shorter than two beats leaves the voices free under it.
    short = sop.with_notes((Note(67, 0, 480), Note(69, 480, 480), Note(71, 960, 480),
                            Note(72, 1440, 480), *sop.notes[3:]))
    ok, at = _alto_tokens(short)
    assert ok[at[1440] + 1, vocab.ONSET:].any() and ok[at[1440] + 1, vocab.HOLD]


def test_a_dotted_half_closes_its_phrase_with_no_breath_after_it():
    """An organist's QA: a hymn's phrase ends on a dotted half, then the next phrase's
    pickup with no rest; the voices moved on in quarters under it (34 onsets in 6
    takes). Bach's voices hold under 721 of 737 fermata notes (120 chorales of
    music21's corpus); a note of three beats is such a close, played detached or not."""
    sop = Track(name="Soprano", program=52, notes=(
        Note(67, 0, 480), Note(69, 480, 1430),  # a dotted half, 10 ticks short of legato
        Note(62, 1920, 480), Note(67, BAR + 480, 960)))
    ok, at = _alto_tokens(sop)
    assert not ok[at[480], vocab.REST] and ok[at[480], vocab.ONSET:].any()  # sings with it
    held = ok[at[480] + 1 : at[1920] - 1]
    assert held[:, vocab.HOLD].all() and held.sum(axis=1).tolist() == [1] * len(held)
    assert ok[at[1920], vocab.ONSET:].any()  # the pickup: free to move again
    # A half note with no breath after it is no close: the voices may move under it.
    half = sop.with_notes((Note(67, 0, 480), Note(69, 480, 960), Note(62, 1440, 480),
                           *sop.notes[3:]))
    ok, at = _alto_tokens(half)
    assert ok[at[960], vocab.ONSET:].any()
    # A kept organ's whole notes under a soprano in quarters are no phrase's close.
    tune = Track(name="Soprano", program=52,
                 notes=tuple(Note(67 + i % 3, i * 480, 480) for i in range(8)))
    organ = Track(name="Organ", program=19, notes=(Note(48, 0, BAR), Note(43, BAR, BAR)))
    ok, _ = _alto_tokens(tune, organ)
    assert ok[1:, vocab.ONSET:].any(axis=1).mean() > 0.9  # free to move throughout


def test_the_voices_hold_under_a_fermata_followed_at_once_by_the_next_pickup():
    """A choir director's QA: a phrase ending on a fermata (a half note here, no longer
    than a mid-phrase note) and the next phrase's pickup with no rest between; the lower
    voices moved on under the held note (2–4 new notes in 5 of 5 takes). With the
    fermata read from the score, no lower voice may strike while it sounds."""
    plain = (Note(67, 0, 480), Note(69, 480, 480), Note(71, 960, 960),  # a half-note close
             Note(72, BAR, 480), Note(74, BAR + 480, 960), Note(71, BAR + 1440, 480))
    sop = Track(name="Soprano", program=52, notes=plain)
    ok, at = _alto_tokens(sop)
    assert ok[at[960] + 1 : at[BAR], vocab.ONSET:].any()  # no fermata: free to move under it
    held = Note(71, 960, 960, fermata=True)
    sop = sop.with_notes((*plain[:2], held, *plain[3:]))
    for voice in ("Alto", "Tenor", "Bass"):
        lower = Track(name=voice, program=52)
        song = Song(tracks=(sop, lower))
        enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={t.id: 1 for t in song.tracks},
                     snap_off_grid=True)
        problem = build_problem(enc, song, Mask.of(Region({lower.id}, 0, 2 * BAR)),
                                [lower.id])
        allowed = problem.allowed[enc.lane_tracks.index(lower.id)]
        ticks = enc.step_ticks[:-1]
        under = (ticks > held.start) & (ticks < held.end)
        assert under.any()
        assert not allowed[under, vocab.ONSET:].any()  # no new onset while it sounds ...
        assert allowed[under, vocab.HOLD].all()  # ... the chord held
        first = int(np.flatnonzero(ticks == held.start)[0])
        assert not allowed[first, vocab.REST]  # struck with it (or held into it)
        assert allowed[ticks == BAR, vocab.ONSET:].any()  # the pickup: free again
        # ... and let go with her: bwv269's bass held a G3 through the fermata and the
        # next phrase's pickup (a choir director's QA).
        assert not allowed[ticks == BAR, vocab.HOLD].any()


def test_a_short_rest_a_kept_voice_singing_or_no_voice_part_leave_the_voices_free():
    # A rest shorter than a beat is a breath inside the phrase: the voices go on.
    onsets, ticks, editable = _alto_under(
        (Note(67, 0, 600), Note(69, 840, 1080), Note(71, 1920, 1920)), bars=2)
    cells = editable & (ticks < 1920)
    assert onsets[cells].any(axis=1).all()
    # A bass that stays and sings through the soprano's rest: the alto is free.
    rest, _ = _breath_problem(Track(name="Alto", program=52), kept_bass=True)
    assert not rest.any()
    # A piano under the melody is no voice part: it may play into the melody's rests.
    rest, _ = _breath_problem(Track(name="Piano", program=0))
    assert not rest.any()


def _may_rest(soprano: tuple[Note, ...], lower: Track, **kw):
    """Per cell of two bars: may ``lower``, written under a kept soprano, rest there? And
    hold there? With the cells' ticks."""
    sop = Track(name="Soprano", program=52, notes=soprano)
    song = Song(tracks=(sop, lower))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={sop.id: 1, lower.id: 1},
                 snap_off_grid=True)
    problem = build_problem(enc, song, Mask.of(Region({lower.id}, 0, 2 * BAR)), [lower.id],
                            **kw)
    lane = enc.lane_tracks.index(lower.id)
    return (problem.allowed[lane, :, vocab.REST], problem.allowed[lane, :, vocab.HOLD],
            enc.step_ticks[:-1])


def test_written_voices_do_not_rest_where_the_choir_sings():
    # A soprano's phrase, a beat's breath, then a phrase with an eighth rest in it.
    soprano = (Note(67, 0, 3 * 480), Note(69, BAR, 480), Note(71, BAR + 720, 1200 - 720))
    rest, hold, ticks = _may_rest(soprano, Track(name="Alto", program=52))
    breath = (ticks >= 3 * 480) & (ticks < BAR)
    eighth = (ticks >= BAR + 480) & (ticks < BAR + 720)
    after = ticks >= BAR + 1200  # the soprano has ended: the alto is free
    assert rest[breath | eighth | after].all()
    assert not rest[~(breath | eighth | after)].any()  # no 16th rest in mid-phrase
    # The first cell after the breath strikes: a hold drawn there would hold nothing.
    assert not hold[ticks == BAR].any() and hold[ticks == BAR + 120].all()
    # A piano is no voice part; with keep rhythm the user's own rests stay.
    rest, _, _ = _may_rest(soprano, Track(name="Piano", program=0))
    assert rest.all()
    alto = Track(name="Alto", program=52, notes=(Note(60, 0, 360), Note(62, 480, 480)))
    rest, _, ticks = _may_rest(soprano, alto, keep_rhythm=True)
    assert rest[(ticks >= 360) & (ticks < 480)].all()


def test_a_silence_longer_than_two_bars_is_a_passage_the_voices_may_sing():
    onsets, ticks, _ = _alto_under((Note(67, 0, 480), Note(69, 3 * BAR, 480)), bars=4)
    inside = ticks < 3 * BAR + 480
    assert onsets[inside].any(axis=1).all()


def _first_cell_pitch_classes(song, mask, voices, key):
    from engine.models.constraints import opening_chord

    enc = encode(song, GridSpec(), 0, 8 * 480, lanes={t.id: 1 for t in song.tracks},
                 snap_off_grid=True)
    opening = opening_chord(song, mask, key)
    problem = build_problem(enc, song, mask, [t.id for t in voices], key=key,
                            opening=opening)
    out = {}
    for t in voices:
        lane = enc.lane_tracks.index(t.id)
        ok = problem.allowed[lane, 0, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
        out[t.name] = {p % 12 for p in np.flatnonzero(ok)}
    return opening, out, problem.allowed[:, 0, vocab.REST]


def test_a_chorale_opens_on_the_tonic_chord_the_bass_on_the_root_the_alto_on_the_third():
    song, mask, voices = _chorale(67)  # a G-major tune starting on G
    opening, pcs, rest = _first_cell_pitch_classes(song, mask, voices, "G")
    assert (opening.tick, opening.root, opening.chord) == (0, 7, frozenset({7, 11, 2}))
    assert pcs == {"Alto": {11}, "Tenor": {7, 2}, "Bass": {7}}  # the third not doubled
    assert not rest[1:].any()  # every voice sings with the melody's first note
    # A tune starting on the third: it has it, so no voice doubles it.
    tune = song.tracks[0]
    on_b = song.with_tracks([tune.with_notes((Note(71, 0, 480), *tune.notes[1:])), *voices])
    opening, pcs, _ = _first_cell_pitch_classes(on_b, mask, voices, "G")
    assert opening.melody_third and pcs == {"Alto": {7, 2}, "Tenor": {7, 2}, "Bass": {7}}


def test_the_voices_open_below_the_sopranos_first_note():
    """A choir director's QA: held to a chord tone each, an alto opened on B4 above the
    soprano's G4 (2 of 24 takes crossed on their first chord)."""
    song, mask, voices = _chorale(67)  # a G-major tune starting on G4
    enc = encode(song, GridSpec(), 0, 8 * 480, lanes={t.id: 1 for t in song.tracks},
                 snap_off_grid=True)
    from engine.models.constraints import opening_chord

    problem = build_problem(enc, song, mask, [t.id for t in voices], key="G",
                            opening=opening_chord(song, mask, "G"))
    for t in voices:
        ok = problem.allowed[enc.lane_tracks.index(t.id), 0, vocab.ONSET:vocab.DRUM]
        assert np.flatnonzero(ok).max() <= 67, t.name  # at or under the soprano's G4


def test_a_tune_starting_on_the_second_degree_opens_on_the_dominant_and_the_fourth_on_neither():
    from engine.models.constraints import opening_chord

    song, mask, voices = _chorale(67)
    tune = song.tracks[0]
    on_a = song.with_tracks([tune.with_notes((Note(69, 0, 480), *tune.notes[1:])),
                             *voices])
    opening, pcs, _ = _first_cell_pitch_classes(on_a, mask, voices, "G")
    assert opening.root == 2 and pcs["Bass"] == {2} and pcs["Alto"] == {6}  # V: D, F♯
    on_c = song.with_tracks([tune.with_notes((Note(72, 0, 480), *tune.notes[1:])), *voices])
    assert opening_chord(on_c, mask, "G") is None  # the 4th: the model decides
    # A melody whose first note is before the mask: no opening.
    late = Mask.of(Region(frozenset(t.id for t in voices), 480, 8 * 480))
    assert opening_chord(song, late, "G") is None


def test_a_tune_written_through_its_end_opens_in_the_key_it_closes_in():
    from engine.models.constraints import closing_key, final_cadence, opening_chord

    # An A-minor tune with a melodic-minor F♯ that the notes around read as G major
    # (valid chorale 2's soprano did): it ends on A, so it opens on A minor, as it closes.
    q = 480
    tune = [64, 69, 71, 72, 74, 72, 71, 69, 66, 68, 69]
    soprano = Track("Soprano", notes=tuple(Note(p, i * q, q) for i, p in enumerate(tune)))
    voices = [Track("Alto"), Track("Tenor"), Track("Bass")]
    song = Song(tracks=(soprano, *voices), ppq=q)
    mask = Mask.of(Region(frozenset(t.id for t in voices), 0, len(tune) * q))
    opening = opening_chord(song, mask, "G")
    assert (opening.root, opening.chord) == (9, frozenset({9, 0, 4}))
    # The close reads the same key (one closing_key for both: they cannot disagree).
    assert closing_key(soprano.notes, soprano.notes[-1], "G") == "Am"
    assert final_cadence(song, mask, "G").tonic == 9
    # A key the user named stays (E is no degree G opens on); so does the key around
    # when the mask stops before the tune's end.
    assert opening_chord(song, mask, "G", named=True) is None
    early = Mask.of(Region(frozenset(t.id for t in voices), 0, 4 * q))
    assert opening_chord(song, early, "G") is None


def test_a_written_bass_leans_to_the_chord_the_parts_that_stay_sound():
    """Regenerated basses sounded a tone of what the others play on 32 % of their notes
    (their own parts: 68 %): a bass leans to the chord's pitch classes, cell by cell."""
    from engine.models.constraints import CHORD_PULL, kept_classes

    chord = [Note(p, 0, BAR) for p in (60, 64, 67)]
    piano = Track("Piano", notes=(*chord, Note(72, BAR, BAR)))  # bar 2: one note, no chord
    bass = Track("Bass", program=33)
    song = Song(tracks=(piano, bass))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={piano.id: 3, bass.id: 1},
                 snap_off_grid=True)
    classes = kept_classes(song, [bass.id], enc.step_ticks)
    at = {int(t): i for i, t in enumerate(enc.step_ticks[:-1])}
    assert set(np.flatnonzero(classes[at[480]])) == {0, 4, 7}
    assert set(np.flatnonzero(classes[at[BAR]])) == {0}
    problem = build_problem(enc, song, Mask.of(Region({bass.id}, 0, 2 * BAR)), [bass.id])
    pull = problem.pitch_pull[enc.lane_tracks.index(bass.id)]
    assert set(np.flatnonzero(pull[at[480]])) == {0, 4, 7}
    assert (pull[at[480], [0, 4, 7]] == CHORD_PULL).all()
    assert not (pull[at[BAR]:] > 0).any()  # a lone note is no chord to lean to
    assert problem.pitch_pull[enc.lane_tracks.index(piano.id)].sum() == 0


def test_a_kit_with_notes_is_pulled_away_from_the_drums_it_never_plays():
    from engine.models.constraints import KIT_PULL

    loop = tuple(Note(36 if i % 2 == 0 else 39, i * 480, 120) for i in range(8))
    for notes, pulled in ((loop, True), (loop[:4], False)):  # a 4-hit sketch: none
        drums = Track(name="Drums", is_drum=True, channel=9, notes=notes)
        song = Song(tracks=(drums,), length=2 * BAR)
        mask = Mask.of(Region({drums.id}, 0, 2 * BAR))
        enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={drums.id: 1}, snap_off_grid=True)
        bias = build_problem(enc, song, mask, [drums.id]).logit_bias
        if not pulled:
            assert bias is None
            continue
        kick_snare_hat = bias[0, vocab.DRUM : vocab.DRUM + 3].tolist()
        assert kick_snare_hat == [0.0, 0.0, -KIT_PULL]


def test_voices_under_a_half_note_beat_move_in_quarters_and_a_quarter_beat_is_free():
    """A choir director's QA: chorale-jsb put 16ths in the lower voices of 4/2 hymns
    (Psalm 43: 92 of 265 notes). Under a half-note beat a voice part strikes on the
    quarters only; in 4/4 every 16th stays open."""
    from engine.models.constraints import beat_figuration
    from engine.models.grid import encode
    from engine.score import TimeSignature

    q = 480
    tune = [65, 67, 69, 70, 72, 70, 69, 67]
    for meter, quarters in (((4, 2), True), ((4, 4), False)):
        soprano = Track("Soprano", notes=tuple(Note(p, i * 2 * q, 2 * q)
                                              for i, p in enumerate(tune)))
        alto = Track("Alto")
        song = Song(tracks=(soprano, alto), ppq=q,
                    time_signatures=(TimeSignature(0, *meter),))
        end = 16 * q
        mask = Mask.of(Region({alto.id}, 0, end))
        enc = encode(song, start_tick=0, end_tick=end, lanes={t.id: 1 for t in song.tracks})
        ticks = enc.step_ticks[:-1]
        grid = beat_figuration(song, ticks)
        assert grid.all() != quarters and grid[ticks % q == 0].all()
        problem = build_problem(enc, song, mask, {alto.id})
        lane = enc.lane_tracks.index(alto.id)
        strikes = problem.allowed[lane, :, vocab.ONSET : vocab.DRUM].any(-1)
        assert strikes[ticks % q != 0].any() != quarters


def test_a_bar_in_quarter_beats_inside_a_half_note_hymn_keeps_the_hymns_beat():
    """A re-test's 2/2 tune had its cadence bar written in 2/4 and sung in 8ths there."""
    from engine.models.constraints import beat_figuration, prevailing_denominator
    from engine.score import TimeSignature

    q = 480
    song = Song(tracks=(Track("Soprano", notes=(Note(60, 0, 14 * q),)),), ppq=q,
                time_signatures=(TimeSignature(0, 2, 2), TimeSignature(8 * q, 2, 4),
                                 TimeSignature(10 * q, 2, 2)))
    assert prevailing_denominator(song) == 2
    ticks = np.arange(0, 14 * q, q // 4)
    grid = beat_figuration(song, ticks)
    assert grid[ticks % q == 0].all() and not grid[ticks % q != 0].any()
    common = Song(tracks=song.tracks, ppq=q, time_signatures=(
        TimeSignature(0, 4, 4), TimeSignature(8 * q, 2, 2), TimeSignature(10 * q, 4, 4)))
    assert prevailing_denominator(common) == 4
    loose = beat_figuration(common, ticks)
    assert loose[ticks < 8 * q].all() and not loose[(ticks >= 8 * q) & (ticks < 10 * q)
                                                    & (ticks % q != 0)].any()


def test_a_soprano_opening_low_gives_the_third_to_a_voice_that_has_it_under_her():
    """A choir director's QA: a D-minor hymn opening on D4: the alto, given the third,
    had no F under her (G3–D5) and opened on F4 over the soprano in seeds 1–4. The tenor
    takes the F; the alto a D or an A under her."""
    from engine.score import Mask, Note, Region, Song, Track

    q = 480
    tune = [62, 65, 69, 67, 65, 64, 62, 62]
    soprano = Track("Soprano", notes=tuple(Note(p, i * q, q) for i, p in enumerate(tune)))
    voices = [Track("Alto"), Track("Tenor"), Track("Bass")]
    song = Song(tracks=(soprano, *voices), ppq=q)
    mask = Mask.of(Region(frozenset(t.id for t in voices), 0, 8 * q))
    opening, pcs, _ = _first_cell_pitch_classes(song, mask, voices, "Dm")
    assert opening.below == 62 and opening.third == 5
    assert pcs == {"Alto": {2, 9}, "Tenor": {5}, "Bass": {2}}
    enc = encode(song, GridSpec(), 0, 8 * q, lanes={t.id: 1 for t in song.tracks},
                 snap_off_grid=True)
    problem = build_problem(enc, song, mask, [t.id for t in voices], key="Dm",
                            opening=opening)
    for t in voices:
        ok = problem.allowed[enc.lane_tracks.index(t.id), 0, vocab.ONSET:vocab.DRUM]
        assert np.flatnonzero(ok).max() <= 62, t.name  # at or under her D4


def test_harmonizes_cello_takes_the_root_of_a_close_though_not_named_bass():
    """Under a lone violin harmonize adds Violin II, Viola and Cello (no part named
    Bass, none a bass instrument by GM role): the cello, the section's lowest, is the
    bass; a band's two keyboards name none."""
    from engine.models.constraints import _written_bass

    quartet = [Track("Violin II", program=40), Track("Viola", program=41),
               Track("Cello", program=42)]
    assert _written_bass(quartet) == quartet[2].id
    assert _written_bass([Track("Piano", program=0), Track("EP", program=4)]) is None


def _winds_over_strings(length: int = 2 * BAR):
    """A held D major chord in the strings (D3, F♯4, A4: whole notes) and an empty flute
    and bassoon written over it."""
    strings = Track("Strings", program=48, notes=tuple(
        Note(p, 0, length) for p in (50, 66, 69)))
    flute, bassoon = Track("Flute", program=73, channel=1), Track("Bassoon", program=70,
                                                                   channel=2)
    song = Song(tracks=(strings, flute, bassoon), length=length)
    mask = Mask.of(Region({flute.id, bassoon.id}, 0, length))
    enc = encode(song, GridSpec(), 0, length, lanes={t.id: 1 for t in song.tracks})
    return song, mask, enc, flute, bassoon


def test_a_new_note_on_a_beat_is_no_semitone_from_a_note_that_stays():
    """QA: woodwinds repainted over Haydn's strings struck 20-32 % of their notes a minor
    2nd, major 7th or minor 9th from a string note sounding there (Haydn's own Violin 2:
    1 %). On a beat such an onset is not struck; off the beat it loses KEPT_CLASH_PULL
    nats (a passing tone stays possible); the kept notes' own classes stay free."""
    from engine.models.constraints import KEPT_CLASH_PULL

    song, mask, enc, flute, _ = _winds_over_strings()
    problem = build_problem(enc, song, mask, mask.track_ids)
    lane = enc.lane_tracks.index(flute.id)
    onsets = problem.allowed[lane, :, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    clash = {1, 3, 5, 7, 8, 10}  # C♯ E♭ F G G♯ B♭: a semitone from D, F♯ or A
    for step in (0, 4, 8, 16):  # beats
        struck = {p % 12 for p in np.flatnonzero(onsets[step])}
        assert struck and not struck & clash and {2, 6, 9} <= struck, step
    assert {p % 12 for p in np.flatnonzero(onsets[2])} & clash  # off the beat: legal,
    pull = problem.pitch_pull[lane]
    assert pull[2, 8] == -KEPT_CLASH_PULL and pull[2, 9] == 0.0  # but pulled
    assert pull[2, 4] == 0.0  # E: a tone from D and F♯, no clash
    # The strings' cells are the model's to read only.
    assert not problem.editable[enc.lane_tracks.index(song.tracks[0].id)].any()


def test_the_kept_clash_rule_leaves_a_cell_its_onsets_where_all_of_them_clash():
    """A kept rhythm's long note is held to it as a beat's is; a cell whose every
    onset clashes (a band the user painted) keeps them all."""
    song, _, enc, flute, _ = _winds_over_strings()
    band = Mask.of(Region({flute.id}, 0, 2 * BAR, 68, 70))  # G♯4-B♭4: A4 and its rubs
    problem = build_problem(enc, song, band, [flute.id])
    lane = enc.lane_tracks.index(flute.id)
    on_beat = problem.allowed[lane, 0, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    assert set(np.flatnonzero(on_beat)) == {69}  # the rubs go where A4 is left
    only = Mask.of(Region({flute.id}, 0, 2 * BAR, 70, 70))  # B♭4 alone: kept
    problem = build_problem(enc, song, only, [flute.id])
    on_beat = problem.allowed[lane, 0, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    assert set(np.flatnonzero(on_beat)) == {70}


def test_a_chord_symbols_own_tones_may_rub_against_the_parts_that_stay():
    """Under Dmaj7 the C♯ a semitone from the strings' D is a tone of the chord the lead
    sheet asks for (a maj7 voicing), not a rub to keep off: struck on the beat."""
    from engine.score.lead_sheet import with_lead_sheet

    song, mask, enc, flute, _ = _winds_over_strings()
    charted = with_lead_sheet(song, "Dmaj7 | Dmaj7")
    problem = build_problem(enc, charted, mask, mask.track_ids)
    lane = enc.lane_tracks.index(flute.id)
    on_beat = problem.allowed[lane, 4, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    assert 1 in {p % 12 for p in np.flatnonzero(on_beat)}  # C♯: Dmaj7's 7th
    plain = build_problem(enc, song, mask, mask.track_ids)
    on_beat = plain.allowed[lane, 4, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES]
    assert 1 not in {p % 12 for p in np.flatnonzero(on_beat)}  # no chord: kept off


def test_a_song_with_nothing_kept_gets_no_clash_pull():
    song, mask, *_ = _winds_over_strings()
    alone = song.with_tracks(song.tracks[1:])
    enc = encode(alone, GridSpec(), 0, 2 * BAR, lanes={t.id: 1 for t in alone.tracks})
    assert build_problem(enc, alone, mask, mask.track_ids).pitch_pull is None


def test_a_piece_without_a_bass_closes_with_its_lowest_line_on_the_tonic():
    """Composed with winds and strings and no bass, the lowest part closed on the
    tonic's 5th (A under D major) in 5 of 8 pieces: the low lines (bassoon and cello,
    not the viola) now take the root, at or under every other line's lowest chord tone."""
    from engine.models.constraints import piece_close

    parts = [Track("Flute", program=73, channel=0), Track("Viola", program=41, channel=1),
             Track("Bassoon", program=70, channel=2), Track("Cello", program=42, channel=3)]
    flute, viola, bassoon, cello = parts
    length = 8 * BAR
    song = Song(tracks=tuple(parts), length=length)
    mask = Mask.of(Region({t.id for t in parts}, 0, length))
    c = piece_close(song, mask, "D")
    assert c.lead == flute.id and c.bass == bassoon.id  # the lowest instrument
    assert c.roots == {bassoon.id, cello.id} and c.voices == {viola.id}
    enc = encode(song, GridSpec(), 0, length, lanes={t.id: 1 for t in parts})
    problem = build_problem(enc, song, mask, mask.track_ids, cadence=c)
    first = int(np.flatnonzero(enc.step_ticks[:-1] >= 7 * BAR)[0])

    def pitches(track):
        ok = problem.allowed[enc.lane_tracks.index(track.id), first]
        return np.flatnonzero(ok[vocab.ONSET : vocab.ONSET + vocab.N_PITCHES])

    assert {p % 12 for p in pitches(viola)} == {6}  # the lone other line: the third
    for low in (bassoon, cello):  # D3 at most: the viola's lowest note of the D chord
        assert {p % 12 for p in pitches(low)} == {2} and max(pitches(low)) <= 50
    # A band with a bass keeps it as the one bass.
    band = [*parts, Track("Bass", program=33, channel=4)]
    song = Song(tracks=tuple(band), length=length)
    c = piece_close(song, Mask.of(Region({t.id for t in band}, 0, length)), "D")
    assert c.bass == band[-1].id and not c.roots


def test_a_timpani_part_keeps_to_its_drums_tonic_and_dominant():
    # QA: composed timpani played melodies over nine pitches (F2-G3).
    timpani = Track(name="Timpani", program=47)
    song = Song(tracks=(timpani,), length=2 * BAR)
    assert _allowed_pitches(song, timpani, key="F") == {41, 48, 53}  # F2 C3 F3
    assert _allowed_pitches(song, timpani, key="D") == {38, 45, 50, 57}  # D2 A2 D3 A3
    assert _allowed_pitches(song, timpani, key="Am") == {40, 45, 52, 57}  # E2 A2 E3 A3
    assert _allowed_pitches(song, timpani) == set(range(38, 58))  # no key: D2-A3
    # A range the user names that holds none of them: the range wins (in the key).
    assert _allowed_pitches(song, timpani, key="F", pitch_range=(42, 46)) == {43, 45, 46}


def test_an_orchestra_kit_leans_away_from_hi_hats_and_toms():
    from engine.models.constraints import KIT_PULL, ORCHESTRA_AVOIDS, kit_pull
    from engine.score.drums import DrumKit

    names = [name for name, _, _ in vocab.DRUM_CLASSES]
    assert [names[k] for k in ORCHESTRA_AVOIDS] == ["closed hat", "open hat", "low tom",
                                                    "high tom"]
    orchestra = Track(name="Percussion", is_drum=True, channel=9, program=48)
    pull = kit_pull(orchestra, DrumKit.stock())
    assert (pull[list(ORCHESTRA_AVOIDS)] == -KIT_PULL).all()
    assert pull[names.index("kick")] == pull[names.index("crash")] == 0
    standard = Track(name="Drums", is_drum=True, channel=9)  # an empty kit: all open
    assert not kit_pull(standard, DrumKit.stock()).any()
    # An Orchestra kit whose part plays hats keeps them.
    hats = replace(orchestra, notes=tuple(Note(42, i * 240, 60) for i in range(4)))
    assert kit_pull(hats, DrumKit.of_track(hats))[names.index("closed hat")] == 0


def test_a_chord_tone_rubs_against_a_kept_note_off_the_chord():
    """Jazz QA: under B♭7 the piano's new D4 sat under the sax's held E♭5, the melody's
    note off the chord; a chord tone was free by any kept note. Only a kept chord tone
    lets a new one rub (Dmaj7's C♯ by D, above); a kept note off the chord keeps even
    the chord's own tones off the beat's semitones, and a note off the chord rubs though
    another kept part sounds it (a new E♭ by the kept D, doubling the sax)."""
    from engine.models.chord_follow import chord_guide
    from engine.models.constraints import kept_clashes
    from engine.score.lead_sheet import with_lead_sheet

    bass = Track("Bass", program=32, notes=(Note(46, 0, 2 * BAR),))  # B♭2, held
    sax = Track("Tenor Sax", program=66, channel=1, notes=(Note(75, 0, 2 * BAR),))  # E♭5
    piano = Track("Piano", program=0, channel=2)
    song = with_lead_sheet(Song(tracks=(bass, sax, piano), length=2 * BAR), "Bb7 | Bb7")
    mask = Mask.of(Region({piano.id}, 0, 2 * BAR))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={t.id: 1 for t in song.tracks})
    lane = enc.lane_tracks.index(piano.id)
    problem = build_problem(enc, song, mask, [piano.id])
    for step in (0, 4, 8, 16):  # beats
        struck = {p % 12 for p in np.flatnonzero(
            problem.allowed[lane, step, vocab.ONSET : vocab.ONSET + vocab.N_PITCHES])}
        assert 2 not in struck and {10, 5, 8} <= struck, step  # no D; B♭, F, A♭
    guide = chord_guide(song, enc.step_ticks)
    assert guide is not None
    clash = kept_clashes(song, mask, enc.step_ticks, guide.tones)
    assert set(np.flatnonzero(clash[0])) == {2, 4, 9, 11}  # D E by E♭; A B by B♭
    both = replace(song, tracks=(replace(bass, notes=(Note(62, 0, 2 * BAR),)), sax, piano))
    clash = kept_clashes(both, mask, enc.step_ticks, guide.tones)  # D4 kept by E♭5
    assert 3 in set(np.flatnonzero(clash[0]))  # a new E♭ rubs with the D
    assert 3 not in set(np.flatnonzero(kept_clashes(both, mask, enc.step_ticks)[0]))
