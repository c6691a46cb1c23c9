"""Generation follows the song's chord symbols: the bass on the root where a chord starts,
no minor 2nds against the chord on the beats, the melody untouched; no chords, no change."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine import tasks
from engine.models import vocab
from engine.models.chord_follow import (
    COMP_TONE_PULL,
    GUIDE_TONE_PULL,
    LOW_THIRD_FLOOR,
    PLAIN_TONE_PULL,
    chord_guide,
    chord_third,
    clash_classes,
    comp_tone_pulls,
    has_seventh,
)
from engine.models.constraints import build_problem, kept_clashes
from engine.models.grid import GridSpec, encode
from engine.models.plugin import tiny_random_model
from engine.plugins.api import GenerateOptions
from engine.score import Mask, Note, Region, Song, TimeMap, Track
from engine.score.chord_symbols import parse_chord_symbol
from engine.score.lead_sheet import with_lead_sheet
from engine.score.spelling import scale_pitch_classes

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PPQ = 480
BAR = 4 * PPQ
BLUES = "F7 | Bb7 | F7 | F7 | Bb7 | Bb7 | F7 | F7 | C7 | Bb7 | F7 | C7"


def blues_melody(bars: int = 12) -> Song:
    """A tenor sax line of 8ths over ``bars`` bars (an F blues riff, not quite the
    changes: the model has to be told them)."""
    riff = (65, 68, 70, 72, 75, 72, 70, 68)
    notes = tuple(Note(riff[i % 8], b * BAR + i * PPQ // 2, PPQ // 2 - 20, 90)
                  for b in range(bars) for i in range(8))
    return Song(tracks=(Track(name="Tenor Sax", program=66, notes=notes),), ppq=PPQ)


def harmonize(song: Song, seed: int = 1, **kw) -> tuple[Song, tasks.TaskResult]:
    take = tasks.harmonize(song, song.tracks[0].id, accompaniment="band",
                           model=tiny_random_model(0),
                           options=GenerateOptions(seed=seed, steps=4, **kw))
    return take.after, take


def _tones(song: Song) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per 16th of the song: the chord tones, the bass pitch class, whether on a beat."""
    guide = chord_guide(song, np.arange(0, song.end + PPQ // 4, PPQ // 4))
    assert guide is not None
    return guide.tones, guide.bass, guide.strong


def _root_bars(song: Song) -> int:
    bass = next(t for t in song.tracks if t.name == "Bass")
    _, roots, _ = _tones(song)
    return sum(any(n.start == b * BAR and n.pitch % 12 == roots[b * 16] for n in bass.notes)
               for b in range(12))


@pytest.mark.parametrize("seed", [1, 2])
def test_a_band_bass_strikes_the_chords_root_where_each_chord_starts(seed):
    song = with_lead_sheet(blues_melody(), BLUES)
    after, take = harmonize(song, seed)
    bass = next(t for t in after.tracks if t.name == "Bass")
    _, roots, _ = _tones(after)
    tm = TimeMap.of(after)
    for bar in range(12):
        at = tm.bar_to_tick(bar)
        struck = [n.pitch for n in bass.notes if n.start == at]
        held = [n for n in bass.notes if n.start < at < n.end]
        assert all(p % 12 == roots[at // (PPQ // 4)] for p in struck), bar
        # a note struck for the last chord is not held into a new root
        if bar and roots[at // 120] != roots[(at - 1) // 120]:
            assert not held, bar
    # leaned on to strike there: more roots on downbeats than the model alone writes
    alone, _ = harmonize(song, seed, follow_chords=False)
    assert _root_bars(after) > _root_bars(alone)
    assert take.options is not None and take.options.follow_chords


def test_the_piano_strikes_no_minor_second_against_the_chord_on_a_beat():
    song = with_lead_sheet(blues_melody(), BLUES)
    after, _ = harmonize(song, 3)
    tones, _, strong = _tones(after)
    clashes = clash_classes(tones)
    piano = next(t for t in after.tracks if t.name == "Piano")
    on_beats = [n for n in piano.notes if n.start % PPQ == 0]
    assert on_beats
    for n in on_beats:
        cell = n.start // (PPQ // 4)
        assert strong[cell] and not clashes[cell, n.pitch % 12], n
    # chord tones, the tensions the symbol writes, are strongly favoured everywhere
    share = np.mean([tones[n.start // (PPQ // 4), n.pitch % 12] for n in piano.notes])
    assert share > 0.7


def test_the_melody_is_never_touched():
    song = with_lead_sheet(blues_melody(), BLUES)
    after, _ = harmonize(song, 1)
    assert after.tracks[0].notes == song.tracks[0].notes


def test_a_song_without_chords_samples_as_before_and_ignore_turns_following_off():
    plain = blues_melody(4)
    a, _ = harmonize(plain, 5)
    b, _ = harmonize(plain, 5, follow_chords=False)
    assert [t.notes for t in a.tracks] == [t.notes for t in b.tracks]
    chorded = with_lead_sheet(plain, "Db7 | Gb7 | Db7 | Ab7")  # far from the tune's key
    ignored, _ = harmonize(chorded, 5, follow_chords=False)
    assert [t.notes for t in ignored.tracks] == [t.notes for t in a.tracks]
    followed, _ = harmonize(chorded, 5)
    assert [t.notes for t in followed.tracks] != [t.notes for t in a.tracks]


def test_the_chord_wins_over_the_key_where_its_tones_lie_outside_it():
    # D7's F♯ is outside F major: the piano may strike it under D7, not where no chord is.
    song = with_lead_sheet(blues_melody(2), "- | D7")
    piano = Track(name="Piano", program=0)
    song = replace(song, tracks=(*song.tracks, piano))
    piano = song.tracks[-1]
    mask = Mask.of(Region({piano.id}, 0, 2 * BAR))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={t.id: 1 for t in song.tracks})
    lane = enc.lane_tracks.index(piano.id)
    for chords, under_d7 in ((True, True), (False, False)):
        problem = build_problem(enc, song, mask, [piano.id], key="F", chords=chords)
        sharp = problem.allowed[lane, :, vocab.onset(66)]  # F♯4
        assert not sharp[:16].any()  # the key where no chord is in force
        assert sharp[16:].any() == under_d7
        # The chord's third: on its beats too, but where the tune sounds a semitone
        # from it (its G on bar 2's downbeat: constraints.kept_clashes).
        free = ~kept_clashes(song, mask, enc.step_ticks)[16::4, 6]
        assert free.sum() == 3 and sharp[16::4][free].all() == under_d7
    b_flat = build_problem(enc, song, mask, [piano.id], key="F").allowed[lane, 16::4,
                                                                         vocab.onset(70)]
    assert not b_flat.any()  # B♭ a m2 over D7's A, on its beats: forbidden


def test_chord_guide_reads_onsets_changes_and_beats():
    song = replace(with_lead_sheet(blues_melody(2), "F7 | F7 C7/E"), ppq=PPQ)
    guide = chord_guide(song, np.arange(0, 2 * BAR + 1, PPQ // 4))
    assert guide is not None
    assert np.flatnonzero(guide.onset).tolist() == [0, 16, 24]
    assert np.flatnonzero(guide.change).tolist() == [0, 24]  # a repeated F7 is no change
    assert guide.bass[24] == 4  # the slash bass: E
    assert np.flatnonzero(guide.strong[:16]).tolist() == [0, 4, 8, 12]
    assert set(np.flatnonzero(guide.tones[0])) == {5, 9, 0, 3}
    assert guide.chord.shape == (32,) and (guide.chord >= 0).all()
    none = replace(song, chords=())
    assert chord_guide(none, np.arange(0, BAR, 120)) is None


def test_no_chord_is_no_chord_in_force_and_a_break():
    song = with_lead_sheet(blues_melody(2), "F7 | N.C.")
    guide = chord_guide(song, np.arange(0, 2 * BAR + 1, PPQ // 4))
    assert guide is not None
    assert (guide.chord[:16] >= 0).all() and (guide.chord[16:] < 0).all()
    assert not guide.tones[16:].any()
    assert not guide.tacet[:16].any() and guide.tacet[16:].all()
    alone = with_lead_sheet(blues_melody(2), "N.C.")  # a break alone is still read
    assert chord_guide(alone, np.arange(0, BAR + 1, PPQ // 4)) is not None


def test_the_band_lays_out_under_no_chord_and_the_melody_and_drums_play_on():
    # A band stops for an N.C. break: the bass and piano rest through bar 2 (a note
    # struck before it cut there), the tenor and the drums play through it.
    song = with_lead_sheet(blues_melody(4), "F7 | N.C. | Bb7 | F7")
    song = replace(song, tracks=(*song.tracks, Track(name="Piano", program=0, channel=1),
                                 Track(name="Bass", program=33, channel=2),
                                 Track(name="Drums", is_drum=True, channel=9)))
    for seed in (1, 2):
        after, _ = harmonize(song, seed)
        by_name = {t.name: t for t in after.tracks}
        assert after.tracks[0].notes == song.tracks[0].notes
        for name in ("Piano", "Bass"):
            notes = by_name[name].notes
            assert notes and not [n for n in notes if n.start < 2 * BAR and n.end > BAR], name
            assert [n for n in notes if n.start >= 2 * BAR], name  # back in after it
        assert [n for n in by_name["Drums"].notes if BAR <= n.start < 2 * BAR]


def ragged_blues() -> Song:
    """The blues line with its last note, F4, on bar 13's downbeat, let go off the bar
    line (a ragged end): past the lead sheet's last bar, ``Gm7 C7``."""
    song = blues_melody()
    last = Note(65, 12 * BAR, PPQ + 290, 100)
    song = replace(song, tracks=(replace(song.tracks[0],
                                         notes=(*song.tracks[0].notes, last)),))
    return with_lead_sheet(song, BLUES.rsplit("|", 1)[0] + "| Gm7 C7")


@pytest.mark.parametrize("ending", ["auto", "close"])
def test_past_the_last_chords_bar_the_band_closes_on_the_home_chord(ending):
    # The last chord (C7) ruled to the song's end: the piano sat on C2–C5 under the
    # melody's final F. Past its bar the key alone applies, and the close's tonic.
    song = ragged_blues()
    guide = chord_guide(song, np.arange(0, song.end + PPQ // 4, PPQ // 4))
    assert guide is not None
    assert (guide.chord[:12 * 16] >= 0).all() and (guide.chord[12 * 16:] < 0).all()
    after, _ = harmonize(song, 1, extra={"ending": ending})
    bass = next(t for t in after.tracks if t.name == "Bass")
    under = [n.pitch for n in bass.notes if n.start <= 12 * BAR < n.end]
    assert under and min(under) % 12 == 5  # F


def test_the_comping_leans_most_to_the_tones_that_say_which_chord_it_is():
    # All chord tones alike, the piano sounded D7 without its F♯ and G7 without its B.
    g7b9 = comp_tone_pulls(parse_chord_symbol("G7b9"))
    assert g7b9[11] == g7b9[5] == g7b9[8] == GUIDE_TONE_PULL  # B, F, the ♭9's A♭
    assert g7b9[7] == g7b9[2] == PLAIN_TONE_PULL < COMP_TONE_PULL  # root and 5th
    assert not g7b9[0]
    # a chord tone outside the key: A♭7's root in B♭ major
    ab7 = comp_tone_pulls(parse_chord_symbol("Ab7"), scale_pitch_classes("Bb"))
    assert ab7[8] == GUIDE_TONE_PULL and ab7[3] == PLAIN_TONE_PULL
    assert comp_tone_pulls(parse_chord_symbol("C9"))[2] == COMP_TONE_PULL  # a plain 9th
    # the piano's notes: more on the 3rds and 7ths than on the roots and 5ths (the bass
    # still strikes the root where each chord starts: the first test)
    after, _ = harmonize(with_lead_sheet(blues_melody(), BLUES), 2)
    guide = chord_guide(after, np.arange(0, 12 * BAR + 1, PPQ // 4))
    assert guide is not None
    piano = next(t for t in after.tracks if t.name == "Piano")
    roles = {"guide": 0, "plain": 0}
    for n in piano.notes:
        chord = guide.chords[guide.chord[n.start // (PPQ // 4)]]
        step = (n.pitch - chord.root) % 12
        roles["guide"] += step in (4, 10)
        roles["plain"] += step in (0, 7)
    assert roles["guide"] > 2 * roles["plain"], roles


def pushed_piano(changes: str) -> Song:
    """The blues line over two bars and a piano pushing the second bar's chord: C4
    struck on the "and" of 4 and tied over the bar line, a beat long."""
    song = with_lead_sheet(blues_melody(2), changes)
    push = 3 * PPQ + PPQ // 2
    piano = Track(name="Piano", program=0, channel=1,
                  notes=(Note(60, push, PPQ, 80),))
    return replace(song, tracks=(*song.tracks, piano))


@pytest.mark.parametrize("changes, into", [("C | Db", {1, 5, 8}), ("C | Am", {0, 4})])
def test_a_note_held_over_a_change_is_a_tone_of_the_new_chord(changes, into):
    # Kept rhythm keeps a push tied over the bar line: struck off the beat under C, held
    # into the next chord. A pianist re-voices it to a tone of that chord (C to D♭: one
    # of D♭ F A♭; C to Am: a common tone, C or E, held).
    song = pushed_piano(changes)
    piano = song.tracks[-1]
    mask = Mask.of(Region({piano.id}, 0, 2 * BAR))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={t.id: 2 for t in song.tracks})
    problem = build_problem(enc, song, mask, [piano.id], keep_rhythm=True)
    lanes = [i for i, t in enumerate(enc.lane_tracks) if t == piano.id]
    struck = problem.allowed[lanes, 14, vocab.ONSET:vocab.ONSET + vocab.N_PITCHES]
    pcs = {p % 12 for p in np.flatnonzero(struck.any(0))}  # the "and" of 4: cell 14
    assert pcs and pcs <= into, pcs
    for seed in (1, 2):
        take = tasks.regenerate(song, piano.id, model=tiny_random_model(0),
                                options=GenerateOptions(seed=seed, steps=4, keep_rhythm=True))
        held = [n for n in take.after.track(piano.id).notes if n.start < BAR < n.end]
        assert held and {n.pitch % 12 for n in held} <= into, held


def test_without_kept_rhythm_no_accompaniment_note_sounds_into_a_chord_it_is_not_of():
    song = with_lead_sheet(blues_melody(), BLUES)
    for seed in (1, 2):
        after, _ = harmonize(song, seed)
        guide = chord_guide(after, np.arange(0, 12 * BAR + 1, PPQ // 4))
        assert guide is not None
        changes = np.flatnonzero(guide.change).tolist()
        for track in after.tracks[1:]:
            for n in track.notes:
                for cell in changes:
                    at = cell * (PPQ // 4)
                    assert not (n.start < at < n.end) or guide.tones[cell, n.pitch % 12], n


POP = "G | D | Em | C | G | D | C | D"


def pop_verse() -> Song:
    """A sung verse in G, straight quarters on the chords' tones, over 8 bars."""
    tune = (71, 74, 71, 67, 69, 66, 69, 66, 67, 71, 76, 74, 76, 74, 72, 67,
            74, 71, 67, 71, 69, 66, 62, 66, 64, 67, 72, 67, 66, 69, 66, 69)
    notes = tuple(Note(p, i * PPQ, PPQ - 20, 90) for i, p in enumerate(tune))
    return Song(tracks=(Track(name="Vocal", program=53, notes=notes),), ppq=PPQ)


def test_a_triad_leans_to_its_root_3rd_and_5th_alike():
    # Weighted as a 7th chord's guide tones, a pop verse's piano struck G's B with 37-39
    # of 45-50 notes; a triad has no 7th, its 3rd no more to say than its root and 5th.
    for text in ("G", "Em", "C6", "Dadd9"):
        chord = parse_chord_symbol(text)
        assert not has_seventh(chord)
        pulls = comp_tone_pulls(chord, scale_pitch_classes("G"))
        root, third, fifth = chord.root, chord_third(chord), (chord.root + 7) % 12
        assert pulls[root] == pulls[third] == pulls[fifth] == COMP_TONE_PULL, text
    assert all(has_seventh(parse_chord_symbol(t)) for t in ("G7", "Cmaj7", "Am7b5", "Bdim7"))
    # a triad's tone outside the key, an altered one, still says most which chord it is
    e = comp_tone_pulls(parse_chord_symbol("E"), scale_pitch_classes("C"))
    assert e[8] == GUIDE_TONE_PULL and e[4] == e[11] == COMP_TONE_PULL  # G♯
    assert comp_tone_pulls(parse_chord_symbol("Bdim"))[5] == GUIDE_TONE_PULL  # its ♭5
    assert chord_third(parse_chord_symbol("C7#9")) == 4 and chord_third(
        parse_chord_symbol("Gsus4")) is None


@pytest.mark.parametrize("seed", [1, 2])
def test_the_piano_voices_a_pop_verses_triads_whole_and_no_3rd_low(seed):
    song = with_lead_sheet(pop_verse(), POP)
    after, _ = harmonize(song, seed)
    guide = chord_guide(after, np.arange(0, 8 * BAR + 1, PPQ // 4))
    assert guide is not None
    piano = next(t for t in after.tracks if t.name == "Piano")
    roles = {0: 0, 3: 0, 7: 0}
    for n in piano.notes:
        chord = guide.chords[guide.chord[n.start // (PPQ // 4)]]
        third = chord_third(chord)
        # no 3rd down in the bass's register (E2 under the bass's C2 is mud)
        assert n.pitch % 12 != third or n.pitch >= LOW_THIRD_FLOOR, n
        step = (n.pitch - chord.root) % 12
        role = 3 if step in (3, 4) else step  # the 3rd, major or minor
        roles[role] = roles.get(role, 0) + 1
    # the 3rd no longer takes most of the notes: the root and 5th sound as much
    assert roles[3] < roles[0] + roles[7], roles
    assert roles[0] and roles[7], roles


def _beat_fourths(track: Track) -> tuple[np.ndarray, float]:
    """A part continued into bar 2 under C: whether it may strike F4 (a minor 2nd over
    the chord's E) on bar 2's beats, and the most its chord tones are pulled there."""
    song = with_lead_sheet(Song(tracks=(track,), ppq=PPQ), "C | C")
    track = song.tracks[0]
    mask = Mask.of(Region({track.id}, BAR, 2 * BAR))
    enc = encode(song, GridSpec(), 0, 2 * BAR, lanes={track.id: 1})
    problem = build_problem(enc, song, mask, [track.id], key="C")
    assert problem.pitch_pull is not None
    return (problem.allowed[0, 16::4, vocab.onset(65)],
            float(problem.pitch_pull[0, 16:].max()))


def test_a_sung_part_follows_the_chords_as_a_melody_not_as_comping():
    # QA (a singer-songwriter): "Vocal" on Choir Aahs, with its words, was comped under
    # the chords — a continued tune came back as 25 of 27 notes on the chords' 3rds.
    from engine.models.chord_follow import COMP_TONE_PULL, MELODY_TONE_PULL, chord_role
    from engine.score.lyrics import Lyric

    tune = tuple(Note(p, i * PPQ, PPQ, 90, lyric=Lyric(s))
                 for i, (p, s) in enumerate(zip((67, 69, 72, 71), ("Ev", "'ry", "time",
                                                                   "I"), strict=True)))
    plain = tuple(replace(n, lyric=None) for n in tune)
    for name, program, notes, role in (
            ("Vocal", 52, plain, "melody"), ("Lead Vocal", 0, plain, "melody"),
            ("Singer", 54, plain, "melody"), ("Choir", 52, tune, "melody"),
            ("Piano", 0, tune, "melody"), ("Voice Oohs", 53, plain, "comp"),
            ("Choir", 52, plain, "comp"), ("Piano", 0, plain, "comp"),
            ("Bass", 52, tune, "bass")):
        assert chord_role(name, program, False, any(n.lyric for n in notes)) == role, name
    # What the sampler is allowed: the tune may sing a passing F over C on a beat, and
    # leans to the chord's tones; a pad's comping may not, and is pulled hard to them.
    for sung in (Track("Vocal", 52, notes=plain), Track("Choir", 52, notes=tune)):
        may, pull = _beat_fourths(sung)
        assert may.all() and pull <= MELODY_TONE_PULL, sung.name
    may, pull = _beat_fourths(Track("Choir", 52, notes=plain))
    assert not may.any() and pull >= COMP_TONE_PULL
