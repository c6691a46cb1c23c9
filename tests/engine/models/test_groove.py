"""A swung context's micro-timing carries into the notes a model writes; straight stays straight."""

from __future__ import annotations

import numpy as np
import pytest

from engine import tasks
from engine.models import grid_plugin, vocab
from engine.models.grid import encode
from engine.models.grid_plugin import GridModelPlugin
from engine.models.groove import Groove, apply_groove, fit_groove, position_offsets, song_grooves
from engine.models.plugin import tiny_random_model
from engine.plugins.api import CancelToken, GenerateOptions, ModelInfo
from engine.score import Mask, Note, Region, Song, TimeMap, Track

from .blues_song import BAR as BLUES_BAR
from .blues_song import BEAT as BLUES_BEAT
from .blues_song import END as BLUES_END
from .blues_song import blues_song

Q = 96  # the producer's loop: 96 PPQ, off-beat 16ths 8 ticks late
S = Q // 4
BAR = 16 * S

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def late(step: int, feel: str) -> int:
    """How late the 16th ``step`` of a beat sits in the feel."""
    if feel == "16th":
        return 8 if step % 2 else 0
    return 16 if feel == "8th" and step % 4 == 2 else 0


def loop(feel: str = "16th", bars: int = 4) -> Song:
    """Hats on every 16th (every 8th in the 8th feel), kick and snare, a bass and chords."""
    hats = range(16) if feel != "8th" else range(0, 16, 2)

    def at(bar: int, step: int) -> int:
        return bar * BAR + step * S + late(step, feel)

    drums, bass, keys = [], [], []
    for b in range(bars):
        drums += [Note(42, at(b, s), 12, 70) for s in hats]
        drums += [Note(36, at(b, s), 12, 110) for s in (0, 8)]
        drums += [Note(38, at(b, s), 12, 100) for s in (4, 12)]
        bass += [Note(33, at(b, s), 20, 100) for s in (0, 3, 6, 10)]
        keys += [Note(p, at(b, s), 40, 70) for s in (0, 7) for p in (57, 60, 64)]
    return Song(tracks=(Track("Drums", is_drum=True, channel=9, notes=tuple(drums)),
                        Track("808 Bass", program=38, channel=1, notes=tuple(bass)),
                        Track("Keys", program=4, channel=2, notes=tuple(keys))), ppq=Q)


def every_cell(denoiser, tokens, editable, roles, beat_pos, allowed, options, progress,
               cancel, **kw):
    """A sampler that strikes the lowest legal note in every editable cell: new notes on
    every 16th, so every position of the beat is written."""
    out = np.where(editable, vocab.REST, tokens)
    onsets = allowed[..., vocab.ONSET :]
    first = onsets.argmax(-1) + vocab.ONSET
    strike = editable & onsets.any(-1)
    out[strike] = first[strike]
    return out


def strike_all() -> GridModelPlugin:
    return GridModelPlugin(ModelInfo("every-cell", "0"), lambda *a: None, sampler=every_cell)


def generate(model, song: Song, mask: Mask, **opts) -> dict[int, tuple[Note, ...]]:
    options = GenerateOptions(seed=opts.pop("seed", 3), steps=opts.pop("steps", 4), **opts)
    return model.generate(song, mask, options, lambda p: None, CancelToken())


def offsets(notes, feel: str) -> set[tuple[int, int]]:
    """(16th of the beat, ticks after its grid line) of each note's start; a note's 16th is
    the one whose place in the feel is nearest."""
    out = set()
    for n in notes:
        phase = n.start % Q
        step = min(range(5), key=lambda s: abs(phase - s * S - late(s, feel)))
        out.add((step % 4, phase - step * S))
    return out


# -- reading ----------------------------------------------------------------------------------


def test_a_swung_loop_reads_its_swing_and_straight_or_sloppy_music_reads_none():
    tm = TimeMap.of(loop())
    for feel, groove in (("16th", (0, 8, 0, 8)), ("8th", (0, 0, 16, 0)), ("", (0, 0, 0, 0))):
        song = loop(feel)
        onsets = sorted({n.start for t in song.tracks for n in t.notes})
        assert fit_groove(position_offsets(onsets, tm, Q), Q)[0] == Groove(groove), feel
    # A player's spread about the grid (±5 ticks at random) is no groove.
    rng = np.random.default_rng(0)
    sloppy = [s * S + int(rng.integers(-5, 6)) for s in range(4, 200)]
    assert not fit_groove(position_offsets(sloppy, tm, Q), Q)[0]
    # Nor are a few late notes: 7 at a position say nothing.
    few = [b * Q + S + 8 for b in range(7)] + [b * Q for b in range(40)]
    assert not fit_groove(position_offsets(few, tm, Q), Q)[0]


def test_each_track_takes_its_own_groove_where_it_has_the_notes_else_the_songs():
    song = loop()
    straight = Track("Shaker", is_drum=True, channel=9,  # 16ths in 2 of the 4 bars
                     notes=tuple(Note(70, s * S, 12) for s in range(32)))
    pad = Track("Pad", program=89, channel=3, notes=(Note(60, 0, 4 * BAR),))
    song = song.with_tracks([*song.tracks, straight, pad])
    grooves = song_grooves(song, Mask.of(Region({pad.id}, 4 * BAR, 8 * BAR)))
    assert straight.id not in grooves  # its own 16ths are dead on the grid
    assert grooves[pad.id] == Groove((0, 8, 0, 8))  # a new part swings with the song
    assert song_grooves(song.with_tracks([straight, pad]), Mask.of(
        Region({pad.id}, 0, BAR))) == {}


def test_a_drummers_own_swing_is_kept_over_a_bands_straight_8ths():
    """QA: 2:1 swung hats over a band's straight 8ths read the band's off-beats as theirs
    and the hats' off-beats as early 4th 16ths: the merged groove crossed itself, and the
    band's (none at the off-beat) took over: regenerated hats came back straight."""
    song = loop("8th")
    drums = song.tracks[0]
    band = Track("Guitar", program=27, channel=3,
                 notes=tuple(Note(52, b * BAR + s * S, 20) for b in range(4)
                             for s in range(0, 16, 2)))  # straight 8ths
    song = song.with_tracks([drums, band])
    grooves = song_grooves(song, Mask.of(Region({drums.id}, 0, 4 * BAR)))
    assert grooves[drums.id] == Groove((0, 0, 16, 0))  # its own swing
    assert band.id not in grooves or grooves[band.id].is_monotonic(Q)


def test_a_2_to_1_swing_is_read_as_late_off_beat_8ths_when_encoded():
    song = loop("8th")
    grooves = song_grooves(song, Mask.of(Region({song.tracks[0].id}, 0, 4 * BAR)))
    drums = song.tracks[0].id
    plain = encode(song, snap_off_grid=True, lanes={drums: 3})
    read = encode(song, snap_off_grid=True, lanes={drums: 3}, grooves=grooves)
    hats = vocab.drum(vocab.drum_class_of_note(42))
    # Each beat's swung hat (64 ticks in) belongs to its off-beat 8th, not the 4th 16th.
    assert set(np.flatnonzero((read.tokens == hats).any(0)) % 4) == {0, 2}
    assert set(np.flatnonzero((plain.tokens == hats).any(0)) % 4) == {0, 3}


# -- writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("feel", ["16th", "8th"])
def test_regenerated_drums_keep_the_loops_swing(feel):
    song = loop(feel)
    drums = song.tracks[0]
    new = generate(strike_all(), song, Mask.of(Region({drums.id}, 0, 4 * BAR)))[drums.id]
    # The 8th feel's 16ths between its 8ths (no notes there to say) lie halfway.
    assert offsets(new, feel) == ({(0, 0), (1, 8), (2, 0), (3, 8)} if feel == "16th"
                                  else {(0, 0), (1, 8), (2, 16), (3, 8)})
    # Each note (one 16th on the grid) ends where the next line sits in the groove: the
    # 16ths are long-short, the grooved lines meet, and no note overlaps the next.
    lengths = {(n.start % Q) // S: n.duration for n in new}
    assert lengths == ({0: 32, 1: 16, 2: 32, 3: 16} if feel == "16th"
                       else {0: 32, 1: 32, 2: 16, 3: 16})


def test_a_continuation_of_a_swung_loop_swings():
    song = loop()
    take = tasks.continue_(song, 2, model=strike_all(), options=GenerateOptions(seed=1))
    for tid, notes in take.new_notes.items():
        swung = {o for o in offsets(notes, "16th") if o[0] % 2}
        assert swung == {(1, 8), (3, 8)}, song.track(tid).name
    # The real (random) network's takes too: every off-beat 16th it writes is late.
    take = tasks.continue_(song, 2, model=tiny_random_model(0),
                           options=GenerateOptions(seed=1, steps=4))
    written = [n for notes in take.new_notes.values() for n in notes]
    assert written and all(o in {(0, 0), (2, 0), (1, 8), (3, 8)}
                           for o in offsets(written, "16th"))


def test_straight_music_is_written_exactly_as_without_the_groove(monkeypatch):
    song = loop("")  # the same loop, quantized
    mask = Mask.of(Region({t.id for t in song.tracks[:2]}, BAR + 3 * S, 3 * BAR))
    assert song_grooves(song, mask) == {}
    model = tiny_random_model(0)
    with_step = generate(model, song, mask)
    monkeypatch.setattr(grid_plugin, "song_grooves", lambda song, mask: {})
    assert generate(model, song, mask) == with_step
    assert generate(strike_all(), song, mask)  # and it wrote something


def test_keep_rhythm_takes_the_players_timing_and_reads_no_groove(monkeypatch):
    song = loop()
    bass = song.tracks[1]
    mask = Mask.of(Region({bass.id}, BAR, 3 * BAR))
    before = generate(strike_all(), song, mask, keep_rhythm=True)[bass.id]

    def unasked(song, mask):
        raise AssertionError("keep rhythm reads no groove")

    monkeypatch.setattr(grid_plugin, "song_grooves", unasked)
    new = generate(strike_all(), song, mask, keep_rhythm=True)[bass.id]
    assert new == before
    old = mask.notes_inside(song)[bass.id]
    assert [(n.start, n.duration) for n in new] == [(n.start, n.duration) for n in old]


@pytest.mark.parametrize("shift", [8, -8])
def test_swung_notes_stay_inside_ragged_masks_and_kept_notes_never_move(shift):
    # Pushed (early) as well as late: a note the groove would take out of its region stays.
    song = loop()
    moved = [Track(t.name, program=t.program, is_drum=t.is_drum, channel=t.channel,
                   notes=tuple(Note(n.pitch, max(0, n.start - 8 + shift * (n.start % (2 * S)
                                                                            != 0)),
                                    n.duration, n.velocity) for n in t.notes))
             for t in song.tracks]
    song = Song(tracks=tuple(moved), ppq=Q)
    ids = [t.id for t in song.tracks]
    mask = Mask.of(Region({ids[0], ids[1]}, BAR + 5 * S + 3, 2 * BAR + 7),
                   Region({ids[2]}, 0, BAR + S), Region({ids[0]}, 3 * BAR, 3 * BAR + 9 * S))
    assert song_grooves(song, mask)
    for model in (strike_all(), tiny_random_model(1)):
        new = generate(model, song, mask)
        assert any(new.values())
        for tid, notes in new.items():
            assert all(mask.contains_note(tid, n) for n in notes)
            # No later than the decoder ends them: the step their region ends in.
            ends = [max(-(-r.end // S) * S for r in mask.regions if r.contains_note(tid, n))
                    for n in notes]
            assert all(n.end <= e for n, e in zip(notes, ends, strict=True))
        take = tasks.run._run("repaint", song, (), mask, model, GenerateOptions(seed=2),
                              None, None, "Repaint")
        assert mask.notes_outside(take.after) == mask.notes_outside(song)


# -- strummed chords ------------------------------------------------------------------------------

E_CHORD = (40, 47, 52, 56, 59, 64)


def strummed_band(gap: int, swung: bool = False, bars: int = 4) -> Song:
    """At 480 PPQ: a guitar down-strumming each beat, strings ``gap`` ticks apart (and,
    ``swung``, up-strumming its top four strings on the 2:1 swung off-beat 8th, +320);
    a bass on the beats and a kit's kick, snare and 8th hats (swung with the guitar)."""
    ppq, off = 480, 320 if swung else 240
    guitar, bass, drums = [], [], []
    for beat in range(4 * bars):
        b = beat * ppq
        down = off if swung else ppq
        guitar += [Note(p, b + gap * i, down - gap * i - 10, 90) for i, p in enumerate(E_CHORD)]
        if swung:
            guitar += [Note(p, b + off + gap * i, ppq - off - gap * i - 10, 70)
                       for i, p in enumerate(reversed(E_CHORD[2:]))]
        bass.append(Note(28, b, ppq - 20, 90))
        drums += [Note(36 if beat % 2 == 0 else 38, b, 60, 100), Note(42, b, 60, 80),
                  Note(42, b + off, 60, 70)]
    return Song(tracks=(Track("Guitar", program=25, channel=0, notes=tuple(guitar)),
                        Track("Bass", program=33, channel=1, notes=tuple(bass)),
                        Track("Drums", is_drum=True, channel=9, notes=tuple(drums))), ppq=ppq)


@pytest.mark.parametrize("gap", [12, 14, 16, 20, 30])
def test_a_straight_strummed_guitar_reads_no_groove_and_is_regenerated_on_the_grid(gap):
    # A strum's later strings had been read as onsets of their own: 12–18 ticks a string
    # read as beats laid back 24–28 ticks (the new chords came 28 late) or 2nd 16ths pushed
    # 40–60 (through every part's reading, the bass's and kit's too).
    song = strummed_band(gap)
    guitar = song.tracks[0]
    mask = Mask.of(Region({guitar.id}, 0, 16 * 480))
    assert song_grooves(song, mask) == {}
    new = generate(strike_all(), song, mask)[guitar.id]
    assert new and {n.start % 120 for n in new} == {0}


@pytest.mark.parametrize("gap", [12, 20, 30])
def test_a_swung_strummed_guitar_still_swings(gap):
    # Its up-strums' later strings had drowned its off-beats: at 20 ticks a string the
    # guitar read straight and its new off-beats came back on the straight 8th.
    song = strummed_band(gap, swung=True)
    song = song.with_tracks(song.tracks[:1])  # the guitar's own swing, no kit to lean on
    guitar = song.tracks[0]
    mask = Mask.of(Region({guitar.id}, 0, 16 * 480))
    assert song_grooves(song, mask) == {guitar.id: Groove((0, 0, 80, 0))}
    new = generate(strike_all(), song, mask)[guitar.id]
    # Its swung 8ths at +320; the 16ths between them halfway (160, 400).
    assert {n.start % 480 for n in new} == {0, 160, 320, 400}


# -- the region's end ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blues(tmp_path_factory):
    return blues_song(tmp_path_factory.mktemp("blues"))


def test_a_take_to_the_songs_ragged_end_swings_to_its_last_note(blues):
    """QA: `repaint blues --bars 9-12` (cut at the song's end, 140 after the last swung
    "and") left bar 12's 4-and straight at 240 while every other new note sat at 307: its
    swung 8th would have ended past the song's end. It is swung and cut there."""
    ids = [t.id for t in blues.tracks]
    end = blues.end
    assert end == BLUES_END and end % (BLUES_BEAT // 4)  # mid-beat, off the 16th grid
    mask = Mask.of(Region(frozenset(ids), 8 * BLUES_BAR, end))
    assert song_grooves(blues, mask)
    for model in (strike_all(), tiny_random_model(1)):
        new = generate(model, blues, mask, seed=2)
        notes = [n for tid in ids for n in new[tid]]
        # Never past the 16th the song ends in (where the decoder ends a note there).
        assert all(mask.contains_note(tid, n) and n.end <= 11 * BLUES_BAR + 4 * BLUES_BEAT
                   for tid in ids for n in new[tid])
        # No note on a straight 8th or 16th: on the beat, 154, the swung 307 or 393.
        assert {n.start % BLUES_BEAT for n in notes} <= {0, 154, 307, 393}
    last = [n for n in new_last_beat(strike_all(), blues, mask) if n.start % BLUES_BEAT]
    assert last and {n.start % BLUES_BEAT for n in last} == {154, 307, 393}


def test_a_swung_8th_passing_the_regions_end_is_swung_and_cut_there(blues):
    sax = blues.tracks[0]
    beat4 = 11 * BLUES_BAR + 3 * BLUES_BEAT
    groove = Groove((0, 0, 67, 0), (True, False, True, False))  # 64 %: the "and" at 307
    mask = Mask.of(Region({sax.id}, 8 * BLUES_BAR, BLUES_END))  # ends at beat4 + 447
    on_beat, the_and = Note(60, beat4, 200), Note(62, beat4 + 240, 200)  # released at 440
    out = apply_groove(blues, {sax.id: [on_beat, the_and]}, {sax.id: groove}, mask, {},
                       {sax.id: [Note(60, beat4, 240), Note(62, beat4 + 240, 240)]})
    # Swung (its 8th would end at 480), cut at the region's end; the beat keeps its share.
    assert [(n.start - beat4, n.end - beat4) for n in out[sax.id]] == [(0, 256), (307, 447)]


def new_last_beat(model, song, mask) -> list[Note]:
    """The notes ``model`` writes in ``mask``'s last beat."""
    new = generate(model, song, mask, seed=2)
    beat = mask.span[1] - mask.span[1] % BLUES_BEAT
    return [n for notes in new.values() for n in notes if n.start >= beat]


def test_a_note_whose_swung_start_would_leave_the_region_stays_on_its_line(blues):
    # The region ends 300 into beat 4: the 4-and (on its line at 240) would start at 307.
    ids = [t.id for t in blues.tracks]
    end = 11 * BLUES_BAR + 3 * BLUES_BEAT + 300
    mask = Mask.of(Region(frozenset(ids), 8 * BLUES_BAR, end))
    last = new_last_beat(strike_all(), blues, mask)
    assert {n.start % BLUES_BEAT for n in last} == {0, 154, 240}
    assert all(mask.contains_note(tid, n) for tid in ids
               for n in generate(strike_all(), blues, mask, seed=2)[tid])
