"""GridModelPlugin's context: a narrow window around the mask and a lane budget."""

from __future__ import annotations

import torch

from engine.models import vocab
from engine.models.grid_plugin import MIN_CONTEXT_LANES, GridModelPlugin, plan_lanes
from engine.plugins.api import CancelToken, GenerateOptions, ModelInfo
from engine.score import Mask, Note, Region, Song, Track, replace_in_mask

Q = 120
BAR = 16 * Q


def test_plan_lanes_keeps_the_written_tracks_and_trims_the_widest_context_first():
    order = [1, 2, 3, 4, 5]
    lanes = {1: 3, 2: 1, 3: 4, 4: 1, 5: 3}  # drums, bass, piano, lead, strings: 12
    plan = plan_lanes(lanes, [3], order, budget=12, context=8)
    assert plan == {1: 1, 2: 1, 3: 4, 4: 1, 5: 1}  # every context track keeps one lane
    assert list(plan) == order  # song order
    assert plan_lanes(lanes, [3], order, budget=12, context=12) == lanes
    # More context tracks than room: later tracks go first.
    assert plan_lanes(lanes, [3], order, budget=12, context=6) == {1: 1, 3: 4, 2: 1}


def test_plan_lanes_keeps_some_context_beside_many_written_lanes_within_the_budget():
    lanes = {1: 3, 2: 1, 3: 4, 4: 1, 5: 3}
    plan = plan_lanes(lanes, [1, 3, 5], [1, 2, 3, 4, 5], budget=12, context=8)
    assert {t: plan[t] for t in (1, 3, 5)} == {1: 3, 3: 4, 5: 3}
    assert sum(plan.values()) == 10 + MIN_CONTEXT_LANES
    assert sum(plan_lanes(lanes, [1, 3, 5], [1, 2, 3, 4, 5], 11, 8).values()) == 11


class Recorder:
    """Fixed random logits that favour rests; records the shape of every call."""

    max_steps = 128

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []

    def __call__(self, tokens, roles, beat_pos):
        self.shapes.append(tuple(tokens.shape))
        g = torch.Generator().manual_seed(0)
        logits = torch.randn(*tokens.shape, vocab.VOCAB_SIZE, generator=g)
        logits[..., vocab.REST] += 3.0
        return logits


def ensemble(bars: int = 16) -> Song:
    """Five busy tracks: 3 piano voices, bass, 3 string voices, lead, 2 drum classes."""
    def chords(pitches, program, channel, name):
        notes = tuple(Note(p, b * BAR, BAR) for b in range(bars) for p in pitches)
        return Track(name=name, program=program, channel=channel, notes=notes)

    lead = tuple(Note(72 + (s % 5), s * 4 * Q, 4 * Q) for s in range(bars * 4))
    drums = tuple(Note(p, s * 4 * Q, Q) for s in range(bars * 4) for p in (36, 42))
    return Song(tracks=(
        chords((60, 64, 67), 0, 0, "Piano"), chords((36,), 33, 1, "Bass"),
        chords((55, 59, 62), 48, 2, "Strings"), Track(name="Lead", program=65, channel=3,
                                                      notes=lead),
        Track(name="Drums", is_drum=True, channel=9, notes=drums),
    ))


def test_a_repaint_sees_its_bars_with_two_bars_each_side_and_a_few_lanes_of_context():
    song = ensemble()
    piano = song.tracks[0]
    net = Recorder()
    plugin = GridModelPlugin(ModelInfo("rec", "0", max_lanes=12), net)
    mask = Mask.of(Region({piano.id}, 8 * BAR, 12 * BAR))
    new = plugin.generate(song, mask, GenerateOptions(seed=1, steps=4), lambda p: None,
                          CancelToken())
    assert {s[1:] for s in net.shapes} == {(6, 8 * 16)}  # 4 lanes written + 2 of context
    after = replace_in_mask(song, mask, new).apply(song)
    assert mask.notes_outside(after) == mask.notes_outside(song)
    assert all(mask.contains_note(piano.id, n) for n in new[piano.id])


def test_the_density_target_is_read_beyond_the_networks_window():
    """A song that ends on a held chord: continuing it should keep its groove's density,
    not the final chord's (the bars right next to the new ones)."""
    from engine.models.grid import encode
    from engine.models.grid_plugin import DENSITY_BARS

    busy = tuple(Note(60 + (i % 3), i * Q, Q, 80) for i in range(6 * 16))  # 16ths, 6 bars
    song = Song(tracks=(Track(name="Lead", notes=(*busy, Note(60, 6 * BAR, 2 * BAR, 80))),))
    tid = song.tracks[0].id
    mask = Mask.of(Region({tid}, 8 * BAR, 10 * BAR))  # continue 2 bars
    plugin = GridModelPlugin(ModelInfo("rec", "0", max_lanes=8), Recorder(), context_bars=2)
    w0, w1 = plugin.window(song, mask)
    assert plugin.context_bars < DENSITY_BARS and w0 == 6 * BAR  # the network sees the chord
    plan = {tid: 1}
    enc = encode(song, plugin.spec, w0, w1, lanes=plan, snap_off_grid=True)
    editable = enc.step_ticks[:-1] >= 8 * BAR
    rate = plugin.texture_targets(song, mask, plan, enc, editable[None, :])[0]
    assert rate[0, -1] > 0.5  # ~6 bars of 16ths in 8 (plus the chord), not 1 onset in 2 bars


def _density_case(bass_notes: tuple[Note, ...]):
    from engine.models.grid import encode

    lead = tuple(Note(72 + (i % 5), i * Q, Q, 80) for i in range(8 * 16))  # 16ths, 8 bars
    bass = Track(name="Bass", program=33, notes=bass_notes)
    song = Song(tracks=(Track(name="Lead", notes=lead), bass))
    lead_id, bass_id = (t.id for t in song.tracks)
    mask = Mask.of(Region({bass_id}, 4 * BAR, 6 * BAR))
    plugin = GridModelPlugin(ModelInfo("rec", "0", max_lanes=8), Recorder(), context_bars=2)
    w0, w1 = plugin.window(song, mask)
    plan = {lead_id: 1, bass_id: 1}
    enc = encode(song, plugin.spec, w0, w1, lanes=plan, snap_off_grid=True)
    editable = enc.tokens * 0 > 0
    editable[1] = (enc.step_ticks[:-1] >= 4 * BAR) & (enc.step_ticks[:-1] < 6 * BAR)
    rate = plugin.texture_targets(song, mask, plan, enc, editable)[0]
    return rate[:, int(editable[1].argmax())]  # per lane, in the mask's first cell


def test_a_silent_track_plays_its_role_as_busy_as_the_tracks_around_it():
    import numpy as np

    from engine.models.sampler import ROLE_RATE

    rate = _density_case(())
    assert np.isnan(rate[0])  # the lead is context: no target
    # The bass has no notes near the mask: a bass's rate, raised by the busy 16ths around
    # it, not the lead's own 16ths (a harmonized jig's bass copied every note of the tune).
    assert ROLE_RATE["bass"] * 1.3 < rate[1] < 0.5
    quarters = _density_case(tuple(Note(36, i * 4 * Q, 4 * Q, 80) for i in range(8 * 4)))
    assert 0.2 < quarters[1] < 0.3  # a bass with notes keeps its own density


def test_a_regenerated_track_is_asked_to_sound_as_long_as_it_did():
    """Held string chords regenerated: the sampler gets their sounding share (all of the
    time) as its sustain target, so a pad is not rewritten as short notes."""
    import numpy as np

    from engine.models.sampler import sample

    song = ensemble(bars=8)
    strings = song.tracks[2]
    seen: list[tuple[np.ndarray, np.ndarray]] = []

    def spy(denoiser, tokens, editable, *args, **kwargs):
        seen.append((editable.any(1), kwargs["sustain"]))
        return sample(denoiser, tokens, editable, *args, **kwargs)

    plugin = GridModelPlugin(ModelInfo("rec", "0", max_lanes=12), Recorder(), sampler=spy)
    mask = Mask.of(Region({strings.id}, 0, 8 * BAR))
    plugin.generate(song, mask, GenerateOptions(seed=1, steps=4), lambda p: None,
                    CancelToken())
    (written, sustain), = seen
    assert written.sum() == 3
    np.testing.assert_allclose(sustain[written], 1.0)  # whole bars, legato
    assert np.isnan(sustain[~written]).all()  # the context tracks: no target


class Tokens:
    """Records the tokens of every call (rests favoured)."""

    max_steps = 128

    def __init__(self) -> None:
        self.calls: list[torch.Tensor] = []

    def __call__(self, tokens, roles, beat_pos):
        self.calls.append(tokens.clone())
        logits = torch.zeros(*tokens.shape, vocab.VOCAB_SIZE)
        logits[..., vocab.REST] += 3.0
        return logits


def test_the_model_hears_a_replaced_notes_tail_struck_where_the_mask_ends():
    """The tail of a note the mask covers sounds after the mask (the take keeps it), so the
    model reads it there as a note, where it read silence (an alto's held A4 into a
    cadence bar was cleared, and the alto fell silent on the cadence chord)."""
    alto = Track(name="Alto", program=52, channel=0,
                 notes=(Note(64, 0, 3 * 4 * Q), Note(69, 3 * 4 * Q, 2 * 4 * Q),
                        Note(67, BAR + 4 * Q, 3 * 4 * Q)))
    soprano = Track(name="Soprano", program=52, channel=1,
                    notes=tuple(Note(72, b * 4 * Q, 4 * Q) for b in range(8)))
    song = Song(tracks=(soprano, alto), length=2 * BAR)
    seen = Tokens()
    plugin = GridModelPlugin(ModelInfo("t", "0", max_lanes=8), seen, context_bars=1)
    mask = Mask.of(Region(frozenset({alto.id}), 0, BAR))
    new = plugin.generate(song, mask, GenerateOptions(seed=1, steps=2), lambda p: None,
                          CancelToken())
    tokens = seen.calls[0][0]  # batch 0: lanes × steps (soprano, alto)
    assert int(tokens[1, 16]) == vocab.ONSET + 69  # the bar line: the tail struck
    assert int(tokens[1, 17]) == vocab.HOLD
    after = replace_in_mask(song, mask, new).apply(song).track(alto.id).notes
    assert any(n.pitch == 69 and n.start <= BAR < n.end for n in after)  # bar 2 has it


def test_a_new_kit_strikes_where_the_grooves_it_learned_from_strike():
    # A producer's QA: six 4-bar drum parts composed at 90 BPM kept the snare on 2 and 4
    # in 11 of 24 bars and crashed on 16 of 24 downbeats. A kit with nothing to go by
    # takes the rule-made groove partita-base learned its drums from: snare on 2 and 4,
    # not on 1 or 3; a crash only where a phrase starts.
    import numpy as np

    from engine.models.grid import encode
    from engine.models.vocab import DRUM_CLASSES

    piano = Track(name="Piano", notes=tuple(Note(60, b * BAR, BAR) for b in range(4)))
    kit = Track(name="Drums", is_drum=True, channel=9)
    song = Song(tracks=(piano, kit))
    mask = Mask.of(Region({kit.id}, 0, 4 * BAR))
    plugin = GridModelPlugin(ModelInfo("rec", "0", max_lanes=8), Recorder())
    plan = {piano.id: 1, kit.id: 3}
    enc = encode(song, plugin.spec, 0, 4 * BAR, lanes=plan, snap_off_grid=True)
    editable = np.zeros(enc.tokens.shape, dtype=bool)
    editable[np.asarray(enc.lane_tracks) == kit.id] = True
    aims = plugin.texture_targets(song, mask, plan, enc, editable)
    names = [name for name, _, _ in DRUM_CLASSES]
    snare, crash = 1 + names.index("snare"), 1 + names.index("crash")
    lane = list(enc.lane_tracks).index(kit.id)
    beats = aims.rhythm[lane, [0, 4, 8, 12], snare]  # beats 1-4 of bar 1
    assert beats[1] > 1 and beats[3] > 1 and beats[0] < -1 and beats[2] < -1
    shares = aims.drum_share[lane]
    assert shares[crash - 1] < shares[snare - 1] / 4  # a crash is rare in the mix
    # A kit with hits of its own keeps its own habits: nothing is made up for it.
    played = song.replace_track(Track(name="Drums", is_drum=True, channel=9, id=kit.id,
                                      notes=(Note(38, 0, Q),)))
    enc = encode(played, plugin.spec, 0, 4 * BAR, lanes=plan, snap_off_grid=True)
    aims = plugin.texture_targets(played, mask, plan, enc, editable)
    assert abs(aims.rhythm[lane, 4, snare]) < 1


def test_a_new_pad_is_asked_to_hold_its_chords():
    # A producer's QA: a new "Pad 2 (warm)" beside a beat wrote 20 notes in 4 bars, their
    # median a beat long, 1.4 notes an onset. A new pad or ensemble holds (a piano, a
    # lead: the model's own lengths).
    import numpy as np

    from engine.models.grid import encode
    from engine.models.sampler import HELD_SUSTAIN, HELD_TOGETHER, held_together

    beat = Track(name="Drums", is_drum=True, channel=9,
                 notes=tuple(Note(36, s * 4 * Q, Q) for s in range(16)))
    pad = Track(name="Pad", program=89, channel=1)
    lead = Track(name="Lead", program=81, channel=2)
    song = Song(tracks=(beat, pad, lead))
    mask = Mask.of(Region({pad.id, lead.id}, 0, 4 * BAR))
    plugin = GridModelPlugin(ModelInfo("rec", "0", max_lanes=8), Recorder())
    plan = {beat.id: 1, pad.id: 3, lead.id: 1}
    enc = encode(song, plugin.spec, 0, 4 * BAR, lanes=plan, snap_off_grid=True)
    tracks = np.asarray(enc.lane_tracks)
    editable = np.zeros(enc.tokens.shape, dtype=bool)
    editable[np.isin(tracks, [pad.id, lead.id])] = True
    sustain = plugin.texture_targets(song, mask, plan, enc, editable).sustain
    assert np.allclose(sustain[tracks == pad.id], HELD_SUSTAIN)
    assert np.isnan(sustain[tracks == lead.id]).all()
    together = held_together(np.full(len(tracks), np.nan), [
        song.track(int(t)).program for t in tracks], tracks)
    assert np.allclose(together[tracks == pad.id], HELD_TOGETHER)
    assert np.isnan(together[tracks != pad.id]).all()


def test_a_kit_with_no_groove_around_the_mask_takes_the_backbeat_a_kept_one_its_own():
    # A songwriter's QA: beside a count-in (four hits in the bar before the band comes
    # in) partita-base's drums put the snare on all four beats, and beside a lone crash
    # wrote no drums at all. A count-in is no groove: the kit leans to the rule-made one
    # (snare on 2 and 4, kick on 1), as a new kit does, and is as busy as a new one. A
    # groove kept around the mask (one bar of half time: snare on 3) is the kit's own.
    import numpy as np

    from engine.models.grid import encode
    from engine.models.vocab import DRUM_CLASSES

    piano = Track(name="Piano", notes=tuple(Note(60, b * BAR, BAR) for b in range(5)))
    plugin = GridModelPlugin(ModelInfo("rec", "0", max_lanes=8), Recorder())
    names = [name for name, _, _ in DRUM_CLASSES]
    snare, kick = 1 + names.index("snare"), 1 + names.index("kick")

    def aims(hits):
        kit = Track(name="Drums", is_drum=True, channel=9, notes=hits)
        song = Song(tracks=(piano, kit))
        mask = Mask.of(Region({kit.id}, BAR, 5 * BAR))
        plan = {piano.id: 1, kit.id: 3}
        enc = encode(song, plugin.spec, 0, 5 * BAR, lanes=plan, snap_off_grid=True)
        editable = np.zeros(enc.tokens.shape, dtype=bool)
        editable[np.asarray(enc.lane_tracks) == kit.id, 16:] = True
        lane = list(enc.lane_tracks).index(kit.id)
        got = plugin.texture_targets(song, mask, plan, enc, editable)
        return got.rhythm[lane], got.rate[lane, 16:].sum() * 3  # (three lanes)

    count_in = tuple(Note(37, k * 4 * Q, Q) for k in range(4))
    rhythm, onsets = aims(count_in)
    beats = rhythm[[16, 20, 24, 28], snare]  # bar 2's beats
    assert beats[1] > 1 and beats[3] > 1 and beats[0] < -1 and beats[2] < -1
    assert rhythm[16, kick] > 1
    assert onsets > 5 * 4  # more than a count-in's four hits a bar
    _, empty = aims(())
    assert abs(onsets - empty) < 1e-6  # as busy as a new kit
    half_time = tuple([Note(42, e * 2 * Q, Q) for e in range(8)]
                      + [Note(36, 0, Q), Note(38, 8 * Q, Q)])
    rhythm, _ = aims(half_time)
    assert abs(rhythm[20, snare]) < 1 and abs(rhythm[28, snare]) < 1  # nothing made up
