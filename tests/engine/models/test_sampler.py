"""The sampler: keeps what it must, is reproducible, legal, cancellable, and windows long grids."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.models import vocab
from engine.models.network import AxialDenoiser, NetworkConfig
from engine.models.sampler import (
    BIAS_CAP,
    DEFAULT_RATE,
    PEER_SCALE,
    ROLE_RATE,
    context_onset_rate,
    context_sustain,
    context_together,
    decode_windows,
    default_onset_rate,
    sample,
    shaped_targets,
    windows,
)
from engine.plugins.api import Cancelled, CancelToken, GenerateOptions

LANES, STEPS = 4, 48


@pytest.fixture(scope="module")
def net() -> AxialDenoiser:
    torch.manual_seed(0)
    cfg = NetworkConfig(d_model=16, n_layers=1, n_heads=2, max_steps=64, max_lanes=8)
    return AxialDenoiser(cfg).eval()


def _grid(steps: int = STEPS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    tokens = np.full((LANES, steps), vocab.REST, dtype=np.int64)
    for lane in range(LANES):
        for t in range(0, steps, 4):
            tokens[lane, t] = vocab.onset(60 + int(rng.integers(0, 12)))
            tokens[lane, t + 1 : t + 4] = vocab.HOLD
    roles = np.full(LANES, 6, dtype=np.int64)
    beat = np.arange(steps, dtype=np.int64) % 16
    return tokens, roles, beat


def _run(net, tokens, editable, roles, beat, allowed=None, progress=None, cancel=None, **opts):
    options = GenerateOptions(**{"steps": 4, "seed": 3, **opts})
    return sample(net, tokens, editable, roles, beat, allowed, options,
                  progress or (lambda p: None), cancel or CancelToken())


def _recording(net, max_steps: int):
    """``net`` seeing at most ``max_steps`` steps, and the list of the widths it was called
    with."""
    widths: list[int] = []

    def recording(x, r, b):
        widths.append(x.shape[-1])
        return net(x, r, b)

    recording.max_steps = max_steps
    return recording, widths


def _assert_legal(out: np.ndarray) -> None:
    assert (out != vocab.MASK).all()
    prev = np.concatenate([np.full((out.shape[0], 1), vocab.REST), out[:, :-1]], axis=1)
    assert not ((out == vocab.HOLD) & (prev == vocab.REST)).any(), "HOLD after REST"


def test_keeps_non_editable_cells_exactly(net):
    tokens, roles, beat = _grid()
    editable = np.zeros_like(tokens, dtype=bool)
    editable[1, 8:24] = True
    editable[3, :] = True
    out = _run(net, tokens, editable, roles, beat)
    assert out.shape == tokens.shape and out.dtype == np.int64
    np.testing.assert_array_equal(out[~editable], tokens[~editable])
    _assert_legal(out)


def test_same_seed_same_output_and_other_seed_differs(net):
    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    a = _run(net, tokens, editable, roles, beat, seed=7)
    b = _run(net, tokens, editable, roles, beat, seed=7)
    c = _run(net, tokens, editable, roles, beat, seed=8)
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


def test_progress_reports_every_step_and_resampling_adds_steps(net):
    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    seen = []
    _run(net, tokens, editable, roles, beat, progress=seen.append, steps=6, resample_passes=2)
    assert [p.step for p in seen] == list(range(1, 6 + 2 * 3 + 1))
    assert all(p.total == 12 for p in seen)


def test_cancel_stops_within_one_step(net):
    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    cancel = CancelToken()
    seen = []

    def progress(p):
        seen.append(p.step)
        if p.step == 2:
            cancel.cancel()

    with pytest.raises(Cancelled):
        _run(net, tokens, editable, roles, beat, progress=progress, cancel=cancel, steps=8)
    assert seen == [1, 2]


def test_allowed_tokens_are_respected(net):
    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    allowed = np.zeros((LANES, vocab.VOCAB_SIZE), dtype=bool)
    allowed[:, [vocab.REST, vocab.HOLD]] = True
    allowed[:, vocab.onset(60) : vocab.onset(65)] = True
    for seed in range(3):
        out = _run(net, tokens, editable, roles, beat, allowed=allowed, seed=seed,
                   temperature=2.0, top_p=1.0)
        assert allowed[np.arange(LANES)[:, None], out].all()
        _assert_legal(out)


def test_per_step_allowed_and_a_cell_before_a_kept_hold_is_not_a_rest(net):
    tokens, roles, beat = _grid()
    editable = np.zeros_like(tokens, dtype=bool)
    editable[:, 4] = True  # the onsets before kept holds at step 5
    allowed = np.ones((LANES, STEPS, vocab.VOCAB_SIZE), dtype=bool)
    allowed[:, 4, vocab.onset(70)] = False
    out = _run(net, tokens, editable, roles, beat, allowed=allowed, temperature=3.0)
    assert ((out[:, 4] == vocab.HOLD) | ((out[:, 4] >= vocab.ONSET) & (out[:, 4] < vocab.DRUM))
            ).all()
    assert (out[:, 4] != vocab.onset(70)).all()


def test_long_grid_is_windowed_within_the_context(net):
    tokens, roles, beat = _grid(200)
    editable = np.ones_like(tokens, dtype=bool)
    editable[:, 100:120] = False
    recording, widths = _recording(net, max_steps=64)
    out = sample(recording, tokens, editable, roles, beat, None, GenerateOptions(steps=3, seed=1),
                 lambda p: None, CancelToken())
    assert max(widths) == 64
    np.testing.assert_array_equal(out[:, 100:120], tokens[:, 100:120])
    _assert_legal(out)


def test_windows_cover_every_step_once():
    for total, size in [(200, 64), (64, 64), (65, 64), (10, None), (1000, 128)]:
        wins = windows(total, size)
        covered = np.zeros(total, dtype=int)
        for start, end, new_from in wins:
            assert 0 <= start <= new_from <= end <= total
            assert size is None or end - start <= size
            covered[new_from:end] += 1
        assert (covered == 1).all()


def test_decode_windows_tile_the_editable_span_and_centre_each_piece():
    for total, size, lo, hi in [(200, 64, 0, 200), (200, 64, 90, 110), (200, 64, 0, 20),
                                (200, 64, 180, 200), (1000, 128, 130, 700), (50, 64, 5, 9)]:
        covered = np.zeros(total, dtype=int)
        for start, end, g0, g1 in decode_windows(total, size, lo, hi):
            assert 0 <= start <= g0 < g1 <= end <= total and end - start <= size
            assert end - start == min(size, total)
            if start > 0 and end < total:  # room on both sides: the span is centred
                assert abs((g0 - start) - (end - g1)) <= 1
            covered[g0:g1] += 1
        assert (covered[lo:hi] == 1).all() and covered.sum() == hi - lo


def test_a_short_region_is_decoded_with_context_on_both_sides(net):
    tokens, roles, beat = _grid(200)
    editable = np.zeros_like(tokens, dtype=bool)
    editable[1, 120:140] = True
    seen = []

    def recording(x, r, b):
        seen.append(int((x[0] == vocab.MASK).any(0).nonzero()[0]))  # first masked column
        return net(x, r, b)

    recording.max_steps = 64
    out = sample(recording, tokens, editable, roles, beat, None, GenerateOptions(steps=3, seed=1),
                 lambda p: None, CancelToken())
    assert seen[0] == 120 - (130 - 32)  # the window is 98..162: 22 steps before, 22 after
    np.testing.assert_array_equal(out[~editable], tokens[~editable])


class RestLover:
    """Uniform logits except REST, ``margin`` nats above: a model that prefers silence."""

    max_steps = 64

    def __init__(self, margin: float) -> None:
        self.margin = margin

    def __call__(self, tokens, roles, beat_pos):
        logits = torch.zeros(*tokens.shape, vocab.VOCAB_SIZE)
        logits[..., vocab.REST] = self.margin
        return logits


def _onsets(out: np.ndarray, editable: np.ndarray) -> int:
    return int((out[editable] >= vocab.ONSET).sum())


def _pitched_allowed(lanes: int) -> np.ndarray:
    allowed = np.zeros((lanes, vocab.VOCAB_SIZE), dtype=bool)
    allowed[:, [vocab.REST, vocab.HOLD]] = True
    allowed[:, vocab.onset(48) : vocab.onset(84)] = True
    return allowed


def test_an_onset_target_keeps_a_rest_loving_model_from_silence():
    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    model = RestLover(margin=8.0)  # onset log-odds: log(36) - 8 ≈ -4.4 per cell
    allowed = _pitched_allowed(LANES)
    silent = _run(model, tokens, editable, roles, beat, allowed, steps=8)
    target = np.full(LANES, 0.25)
    steered = sample(model, tokens, editable, roles, beat, allowed,
                     GenerateOptions(steps=8, seed=3), lambda p: None, CancelToken(),
                     onset_rate=target)
    cells = editable.sum()
    assert _onsets(silent, editable) < 0.05 * cells
    assert 0.15 * cells < _onsets(steered, editable) < 0.35 * cells
    _assert_legal(steered)


def test_the_bias_is_capped_so_a_sure_model_stays_sparse():
    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    model = RestLover(margin=8.0 + 2 * BIAS_CAP)
    out = sample(model, tokens, editable, roles, beat, _pitched_allowed(LANES),
                 GenerateOptions(steps=8, seed=3), lambda p: None, CancelToken(),
                 onset_rate=np.full(LANES, 0.25))
    assert _onsets(out, editable) < 0.05 * editable.sum()


def test_explicit_density_scales_the_target_and_works_without_one():
    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    model = RestLover(margin=4.0)
    allowed = _pitched_allowed(LANES)

    def onsets(density, rate):
        out = sample(model, tokens, editable, roles, beat, allowed,
                     GenerateOptions(steps=8, seed=3, density=density), lambda p: None,
                     CancelToken(), onset_rate=rate)
        return _onsets(out, editable)

    rate = np.full(LANES, 0.15)
    assert onsets(0.0, rate) < onsets(0.5, rate) < onsets(1.0, rate)
    assert onsets(0.0, None) < onsets(1.0, None)  # no target: a fixed logit shift


def test_a_group_shares_one_target_over_its_lanes():
    tokens, roles, beat = _grid()
    editable = np.zeros_like(tokens, dtype=bool)
    editable[:2] = True
    out = sample(RestLover(margin=6.0), tokens, editable, roles, beat, _pitched_allowed(LANES),
                 GenerateOptions(steps=8, seed=3), lambda p: None, CancelToken(),
                 onset_rate=np.array([0.1, 0.1, np.nan, np.nan]),
                 lane_groups=np.array([5, 5, 7, 7]))
    assert 0.05 * editable.sum() < _onsets(out, editable) < 0.2 * editable.sum()
    np.testing.assert_array_equal(out[2:], tokens[2:])


def _sounding(out: np.ndarray, editable: np.ndarray) -> float:
    t = out[editable]
    return float(((t == vocab.HOLD) | ((t >= vocab.ONSET) & (t < vocab.DRUM))).mean())


def test_a_sustain_target_holds_the_notes_as_long_as_the_part_did():
    # A model that ends every note at once (a regenerated pad came back as sixteenths):
    # the onset target sets how many notes start, the sustain target how long they sound.
    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    allowed = _pitched_allowed(LANES)

    def run(sustain):
        return sample(RestLover(margin=2.0), tokens, editable, roles, beat, allowed,
                      GenerateOptions(steps=8, seed=3), lambda p: None, CancelToken(),
                      onset_rate=np.full(LANES, 0.1), sustain=sustain)

    short, held = run(None), run(np.full(LANES, 0.8))
    assert _sounding(short, editable) < 0.3
    assert 0.65 < _sounding(held, editable) < 0.95
    # They last longer rather than multiply: a hold takes its share from the rests, not
    # from the onsets (a hold drawn before its note's start still makes one: 34 against
    # 22 here, the target 19).
    assert _onsets(held, editable) < 2 * 0.1 * editable.sum()
    _assert_legal(held)
    # A lane with no target (NaN) is the model's, and kept cells stay as they were.
    editable[2:] = False
    part = run(np.array([0.8, 0.8, np.nan, np.nan]))
    np.testing.assert_array_equal(part[2:], tokens[2:])
    assert _sounding(part, editable) > 0.65


def test_context_sustain_is_how_much_of_the_time_the_track_sounds():
    steps = 64
    tokens = np.full((4, steps), vocab.REST, dtype=np.int64)
    for t in range(0, steps, 16):  # lane 0: half notes then a half rest, every bar
        tokens[0, t] = vocab.onset(60)
        tokens[0, t + 1 : t + 8] = vocab.HOLD
    tokens[1, ::4] = vocab.drum(0)  # a kit
    editable = np.zeros_like(tokens, dtype=bool)
    editable[:, 16:32] = True
    share = context_sustain(tokens, editable, np.array([0, 1, 2, 3]),
                            np.array([False, True, False, False]))
    assert share[0] == pytest.approx(0.5)  # the replaced notes count
    assert np.isnan(share[1:]).all()  # a kit, and tracks with no notes: the model's
    # A continuation: the new steps had no notes, so the share is of the bars before.
    tokens[0, 32:] = vocab.REST
    editable[:] = False
    editable[0, 32:] = True
    assert context_sustain(tokens, editable, np.arange(4), np.zeros(4, bool))[0] == (
        pytest.approx(0.5))
    # Lanes of one track share its sounding cells.
    two = context_sustain(tokens[[0, 2]], editable[[0, 0]], np.array([5, 5]),
                          np.zeros(2, bool))
    assert two == pytest.approx([0.25, 0.25])


def test_lanes_of_one_track_start_their_notes_together(monkeypatch):
    # A model with no opinion on rhythm: a track's lanes drawn in one step are drawn
    # independently, so their notes came apart; the chord bias brings them together.
    from engine.models import sampler as sampler_module

    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    default = sampler_module.CHORD_BIAS

    def together(bias: float) -> float:
        monkeypatch.setattr(sampler_module, "CHORD_BIAS", bias)
        out = sample(RestLover(margin=4.0), tokens, editable, roles, beat,
                     _pitched_allowed(LANES), GenerateOptions(steps=8, seed=3),
                     lambda p: None, CancelToken(), onset_rate=np.full(LANES, 0.2),
                     lane_groups=np.zeros(LANES, dtype=int))
        onset = out >= vocab.ONSET
        struck = onset.sum(0)
        return float(struck[struck > 0].mean())  # notes per onset time

    apart, chords = together(0.0), together(default)
    assert chords > apart + 0.3, (apart, chords)


def test_a_pad_strikes_its_chords_together_as_the_part_it_replaces_did():
    # QA: a regenerated pad (90 % of its notes in chords) came back at 1.6 notes per onset
    # where it played 2.7: its lanes settled on holds, then struck alone under them. With
    # the part's own share as a target its lanes strike together; a part that plays its
    # lanes apart (a broken-chord piano) keeps them apart.
    tokens, roles, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)

    def notes_per_onset(share: float | None) -> float:
        out = sample(RestLover(margin=4.0), tokens, editable, roles, beat,
                     _pitched_allowed(LANES), GenerateOptions(steps=8, seed=3),
                     lambda p: None, CancelToken(), onset_rate=np.full(LANES, 0.2),
                     lane_groups=np.zeros(LANES, dtype=int),
                     together=None if share is None else np.full(LANES, share))
        struck = (out >= vocab.ONSET).sum(0)
        return float(struck[struck > 0].mean())

    fixed, chords, apart = notes_per_onset(None), notes_per_onset(0.95), notes_per_onset(0.1)
    assert chords > fixed + 0.3 and chords > 3.0, (fixed, chords)
    assert apart < 1.5, apart


def test_a_part_strikes_where_in_the_bar_it_struck():
    # QA bench: a pad whose chords fell on the downbeat, held a bar, came back striking on
    # every beat (the shape targets say how many notes a bar gets, not where).
    from engine.models.sampler import RHYTHM_CAP, rhythm_bias

    steps = 16 * 16
    beat = np.arange(steps, dtype=np.int64) % 16
    tokens = np.full((LANES, steps), vocab.REST, dtype=np.int64)
    for t in range(0, steps, 16):  # lanes 0-2: a whole-bar chord on every downbeat
        for lane, pitch in enumerate((60, 64, 67)):
            tokens[lane, t] = vocab.onset(pitch)
            tokens[lane, t + 1 : t + 16] = vocab.HOLD
    tokens[3, ::32] = vocab.onset(48)  # lane 3, its own track: 8 notes, too few to say
    groups = np.array([1, 1, 1, 2])
    drums = np.zeros(LANES, dtype=bool)
    bias = rhythm_bias(tokens, groups, beat, drums, groups, beat)
    assert (bias[:3, beat == 0, 0] == RHYTHM_CAP).all()
    assert (bias[:3, beat == 4, 0] < -1.0).all() and not bias[:, :, 1:].any()
    assert not bias[3].any()
    # A kit: each drum strikes where it struck (8th hats, a backbeat snare).
    kit = np.full((2, steps), vocab.REST, dtype=np.int64)
    kit[0, ::2] = vocab.drum(2)  # closed hats on every 8th
    kit[1, (beat == 4) | (beat == 12)] = vocab.drum(1)  # snare on 2 and 4
    hats = rhythm_bias(kit, np.array([5, 5]), beat, np.ones(2, bool), np.array([5]), beat)
    assert (hats[0, beat % 2 == 1, 1 + 2] < -1.5).all()  # no 16th hats
    assert (hats[0, beat == 4, 1 + 1] > 1).all() and (hats[0, beat == 6, 1 + 1] < -1).all()
    assert not hats[0, :, 0].any()
    # No kick to read: held down where the kit never strikes (the 16th off-beats), as
    # its own drums are, and left alone where it does.
    assert (hats[0, beat % 2 == 1, 1 + 0] < -1.5).all() and not hats[0, beat == 0, 1].any()
    # Sampled with it, a model with no opinion on rhythm strikes mostly on downbeats.
    roles = np.full(LANES, 6, dtype=np.int64)
    editable = np.zeros((LANES, 64), dtype=bool)
    editable[:3] = True

    def on_downbeats(onset_bias) -> float:
        out = sample(RestLover(margin=4.0), tokens[:, :64], editable, roles, beat[:64],
                     _pitched_allowed(LANES), GenerateOptions(steps=8, seed=3),
                     lambda p: None, CancelToken(), onset_rate=np.full(LANES, 0.1),
                     lane_groups=groups, onset_bias=onset_bias)
        struck = (out >= vocab.ONSET) & editable
        return struck[:, beat[:64] == 0].sum() / struck.sum()

    free, steered = on_downbeats(None), on_downbeats(bias[:, :64])
    assert steered > free + 0.2, (free, steered)


class SnareLover:
    """A kit's drummer who hits the snare whatever the song: snare 3 nats above the rest."""

    max_steps = 64

    def __call__(self, tokens, roles, beat_pos):
        logits = torch.zeros(*tokens.shape, vocab.VOCAB_SIZE)
        logits[..., vocab.REST] = 2.0
        logits[..., vocab.drum(1)] = 3.0
        return logits


def test_a_kit_keeps_its_mix_of_drums():
    """QA: openmsx-3's kit (56 kick hits, 16 snares in 8 bars) came back with 40 kicks and
    45 snares: the model's mix, not the drummer's."""
    from engine.models.sampler import kit_shares

    steps = 64
    tokens = np.full((2, steps), vocab.REST, dtype=np.int64)
    tokens[0, ::4] = vocab.drum(0)  # a kick every beat: 16
    tokens[1, 4::16] = vocab.drum(1)  # a snare on beat 2 of each bar: 4
    groups, drums = np.array([7, 7]), np.ones(2, dtype=bool)
    share = kit_shares(tokens, groups, drums, groups)
    np.testing.assert_allclose(share[0], share[1])
    assert share[0, 0] == pytest.approx(0.8) and share[0, 1] == pytest.approx(0.2)
    assert np.isnan(kit_shares(tokens[:, :16], groups, drums, groups)).all()  # 5 hits
    assert np.isnan(kit_shares(tokens, groups, np.zeros(2, bool), groups)).all()
    allowed = np.zeros((2, vocab.VOCAB_SIZE), dtype=bool)
    allowed[:, [vocab.REST, vocab.drum(0), vocab.drum(1), vocab.drum(2)]] = True
    editable = np.ones((2, steps), dtype=bool)

    def mix(drum_share) -> tuple[int, int]:
        out = sample(SnareLover(), tokens, editable, np.full(2, 9), np.arange(steps) % 16,
                     allowed, GenerateOptions(steps=8, seed=2), lambda p: None,
                     CancelToken(), onset_rate=np.full(2, 10 / 64), lane_groups=groups,
                     drum_share=drum_share)
        return int((out == vocab.drum(0)).sum()), int((out == vocab.drum(1)).sum())

    (kicks, snares), (own_kicks, own_snares) = mix(None), mix(share)
    assert snares > 2 * kicks, (kicks, snares)  # the model's own mix
    assert own_kicks > 1.5 * own_snares, (own_kicks, own_snares)  # toward the kit's 4:1


def test_context_together_is_the_share_of_a_tracks_onsets_struck_in_chords():
    tokens = np.full((4, 32), vocab.REST, dtype=np.int64)
    tokens[0:3, ::8] = [[vocab.onset(60)], [vocab.onset(64)], [vocab.onset(67)]]  # 4 chords
    tokens[0, 4::8] = vocab.onset(72)  # 4 notes alone
    editable = np.ones_like(tokens, dtype=bool)
    share = context_together(tokens, editable, np.array([1, 1, 1, 2]), np.zeros(4, bool))
    assert share[:3] == pytest.approx(12 / 16)  # 12 of its 16 notes strike in chords
    assert np.isnan(share[3])  # a lane of its own: nothing to strike with
    # A track with a sketch of notes (fewer than 8) is no target.
    assert np.isnan(context_together(tokens[:, :8], editable[:, :8], np.array([1, 1, 1, 2]),
                                     np.zeros(4, bool))[:3]).all()


def test_context_onset_rate_follows_the_track_around_the_region():
    steps = 64
    tokens = np.full((4, steps), vocab.REST, dtype=np.int64)
    tokens[0, ::4] = vocab.onset(72)  # lead: a note every beat, 16 onsets
    tokens[1, ::8] = vocab.onset(40)  # bass: every other beat, 8 onsets
    groups = np.array([10, 11, 12, 13])
    drums = np.array([False, False, False, True])
    # Repaint the lead's middle: its replaced notes count, so 16 onsets / 64 steps.
    editable = np.zeros((4, steps), dtype=bool)
    editable[0, 16:48] = True
    rate = context_onset_rate(tokens, editable, groups, drums)
    assert rate[0] == pytest.approx(0.25) and np.isnan(rate[1:]).all()
    # Continue: the new steps are empty, so the rate comes from the other steps only.
    cont = tokens.copy()
    cont[:, 48:] = vocab.REST
    editable = np.zeros((4, steps), dtype=bool)
    editable[:, 48:] = True
    rate = context_onset_rate(cont, editable, groups, drums)
    assert rate[0] == pytest.approx(12 / 48) and rate[1] == pytest.approx(6 / 48)
    # An empty track takes its own default, scaled by how busy the others are against
    # theirs (here both play below the pitched default: the new parts play below theirs).
    pitched = DEFAULT_RATE["pitched"]
    busy = np.sqrt(np.sqrt((12 / 48) / pitched * (6 / 48) / pitched))
    assert rate[2] == pytest.approx(DEFAULT_RATE["pitched"] * busy)
    assert rate[3] == pytest.approx(DEFAULT_RATE["drums"] * busy)
    # Lanes of one track split the track's rate.
    two = context_onset_rate(cont, editable, np.array([10, 10, 12, 13]), drums)
    assert two[0] == two[1] == pytest.approx((12 + 6) / 48 / 2)


def test_a_new_part_is_as_busy_as_its_role_and_the_music_around_it():
    """A piano added beside a melody writes a piano's notes, more beside a busy tune than
    beside a slow one, never the melody's own count (a harmonized jig's bass copied it)."""
    steps = 96
    melody_rate, piano_rate = ROLE_RATE["melody"], ROLE_RATE["piano"]
    defaults = np.array([melody_rate, piano_rate])
    editable = np.zeros((2, steps), dtype=bool)
    editable[1] = True

    def piano_target(every: int) -> float:
        tokens = np.full((2, steps), vocab.REST, dtype=np.int64)
        tokens[0, ::every] = vocab.onset(72)
        return context_onset_rate(tokens, editable, np.array([0, 1]),
                                  np.zeros(2, dtype=bool), defaults)[1]

    jig, tune, slow = piano_target(2), piano_target(4), piano_target(16)
    assert slow < tune < jig
    assert jig == pytest.approx(piano_rate * np.sqrt(0.5 / melody_rate))
    assert slow == pytest.approx(piano_rate * PEER_SCALE[0])  # bounded
    # Nothing around it: the role's own rate (a new piece).
    alone = context_onset_rate(np.full((2, steps), vocab.REST), np.ones((2, steps), bool),
                               np.array([0, 1]), np.zeros(2, dtype=bool), defaults)
    assert alone == pytest.approx(defaults)
    # A solo violin plays a line at the melody's rate; a string section pads.
    assert default_onset_rate(40, False) == melody_rate
    assert default_onset_rate(48, False) == ROLE_RATE["strings"] < melody_rate
    assert default_onset_rate(0, False) == piano_rate
    assert default_onset_rate(0, True) == ROLE_RATE["drums"]


def test_a_new_piece_is_written_in_fewer_windows_each_after_decided_context():
    total, size = 512, 128
    blank = np.ones(total, dtype=bool)
    wins = decode_windows(total, size, 0, total, blank)
    assert len(wins) < len(decode_windows(total, size, 0, total))
    assert [w[2] for w in wins[1:]] == [w[3] for w in wins[:-1]]  # spans tile 0..total
    assert wins[0][2:] == (0, size) and wins[-1][3] == total
    for start, end, g0, g1 in wins[1:]:
        assert end - start == size and g0 - start == size // 4 and g1 == end
    # Known music right of a span (another track, say): the span stays centred.
    blank[300:] = False
    for start, end, g0, g1 in decode_windows(total, size, 0, total, blank):
        if end > 300 and start > 0 and end < total:
            assert abs((g0 - start) - (end - g1)) <= 1


def test_a_blank_long_grid_costs_fewer_passes_and_stays_legal(net):
    tokens, roles, beat = _grid(200)
    editable = np.ones_like(tokens, dtype=bool)
    recording, calls = _recording(net, max_steps=64)
    out = sample(recording, tokens, editable, roles, beat, None, GenerateOptions(steps=3, seed=1),
                 lambda p: None, CancelToken())
    assert set(calls) == {64} and len(calls) == 3 * 4  # 0-64, 64-112, 112-160, 160-200
    _assert_legal(out)


def test_top_p_draws_only_from_the_nucleus():
    from engine.models.sampler import _draw

    tokens = [vocab.REST, vocab.onset(60), vocab.onset(62), vocab.HOLD]
    weights = np.zeros((2000, vocab.VOCAB_SIZE))
    weights[:, tokens] = [5.0, 3.0, 1.5, 0.5]  # probabilities .5 .3 .15 .05
    draw, logp = _draw(weights, 0.7, np.random.default_rng(0))
    assert set(draw.tolist()) == set(tokens[:2])  # .5 + .3 reach 0.7: .15 and .05 are cut
    assert 0.55 < (draw == vocab.REST).mean() < 0.70  # renormalised: 0.5 / 0.8 = 0.625
    # Confidence is the probability of the drawn token's kind (rest, or any onset).
    np.testing.assert_allclose(np.exp(logp), np.where(draw == vocab.REST, 0.625, 0.375),
                               rtol=1e-5)
    draw, _ = _draw(weights, 1.0, np.random.default_rng(0))
    assert set(draw.tolist()) == set(tokens)


def test_a_continuation_as_long_as_the_window_still_hears_the_music_before_it():
    total, size, lo = 160, 128, 32  # 2 bars of song, then 8 new bars on every lane
    blank = np.zeros(total, dtype=bool)
    blank[lo:] = True
    wins = decode_windows(total, size, lo, total, blank)
    assert wins[0][2] - wins[0][0] == size // 4  # the first span follows 2 bars of song
    assert [w[2] for w in wins[1:]] == [w[3] for w in wins[:-1]] and wins[-1][3] == total
    assert len(decode_windows(total, size, 40, 136, blank)) == 1  # 16 steps each side fit


class Favourite:
    """Every cell prefers one token (``favourite``) by ``margin`` nats over the rest."""

    max_steps = 64

    def __init__(self, favourite: int, margin: float = 6.0) -> None:
        self.favourite, self.margin = favourite, margin

    def __call__(self, tokens, roles, beat_pos):
        logits = torch.zeros(*tokens.shape, vocab.VOCAB_SIZE)
        logits[..., self.favourite] = self.margin
        return logits


def _strikes_only(lanes: int, steps: int, tokens: slice) -> np.ndarray:
    """(L, T, V): an onset kind at every 4th step (as with keep rhythm), rests between."""
    allowed = np.zeros((lanes, steps, vocab.VOCAB_SIZE), dtype=bool)
    allowed[:, 0::4, tokens] = True
    allowed[:, :, vocab.REST] |= ~allowed.any(-1)
    return allowed


def _strikes(out: np.ndarray, lanes) -> list[list[int]]:
    return [sorted(out[lanes, t].tolist()) for t in range(0, out.shape[1], 4)]


@pytest.mark.parametrize("tokens", [slice(vocab.onset(48), vocab.onset(72)),
                                    slice(vocab.DRUM, vocab.DRUM + vocab.N_DRUM_CLASSES)])
def test_lanes_of_one_track_never_strike_one_pitch_together(tokens):
    # A chord (or kick + hat) kept with keep rhythm came back thinner: its lanes all drew
    # the model's favourite and the decoder merged them into one note.
    lanes, steps = 4, 32
    grid = np.full((lanes, steps), vocab.REST, dtype=np.int64)
    editable = np.ones_like(grid, dtype=bool)
    model = Favourite(tokens.start + 5)
    allowed = _strikes_only(lanes, steps, tokens)
    roles, beat = np.full(lanes, 3), np.arange(steps) % 16

    def run(groups):
        return sample(model, grid, editable, roles, beat, allowed,
                      GenerateOptions(steps=4, seed=3), lambda p: None, CancelToken(),
                      lane_groups=groups)

    one_track = run(np.array([7, 7, 7, 7]))
    for chord in _strikes(one_track, slice(None)):
        assert len(set(chord)) == lanes and model.favourite in chord
    # Two tracks: only the lanes of one track keep apart.
    two = run(np.array([1, 1, 2, 2]))
    for a, b in zip(_strikes(two, slice(0, 2)), _strikes(two, slice(2, 4)), strict=True):
        assert len(set(a)) == 2 and len(set(b)) == 2
    assert (run(None)[:, 0::4] == model.favourite).mean() > 0.5  # no groups: no constraint


def test_a_lane_cannot_strike_a_pitch_its_track_holds_there():
    lanes, steps = 3, 32
    grid = np.full((lanes, steps), vocab.REST, dtype=np.int64)
    grid[0, 0], grid[0, 1:] = vocab.onset(60), vocab.HOLD  # kept: C4 held all along
    editable = np.zeros_like(grid, dtype=bool)
    editable[1:] = True
    model = Favourite(vocab.onset(60))
    allowed = _strikes_only(lanes, steps, slice(vocab.onset(48), vocab.onset(72)))
    out = sample(model, grid, editable, np.full(lanes, 3), np.arange(steps) % 16, allowed,
                 GenerateOptions(steps=4, seed=3), lambda p: None, CancelToken(),
                 lane_groups=np.array([0, 0, 1]))
    assert not (out[1] == vocab.onset(60)).any()  # the same track holds it
    assert (out[2, 0::4] == vocab.onset(60)).mean() > 0.5  # another track may double it


def test_logit_bias_pulls_each_lane_toward_its_register():
    lanes, steps = 2, 32
    grid = np.full((lanes, steps), vocab.REST, dtype=np.int64)
    editable = np.ones_like(grid, dtype=bool)
    allowed = _strikes_only(lanes, steps, slice(vocab.onset(36), vocab.onset(84)))
    bias = np.zeros((lanes, vocab.VOCAB_SIZE), dtype=np.float32)
    p = np.arange(128)
    bias[0, vocab.onset(0) : vocab.onset(127) + 1] = -2.0 * np.maximum(np.abs(p - 40) - 2, 0)
    out = sample(Favourite(vocab.onset(72), margin=0.0), grid, editable, np.full(lanes, 3),
                 np.arange(steps) % 16, allowed, GenerateOptions(steps=4, seed=3),
                 lambda p: None, CancelToken(), logit_bias=bias)
    low = out[0, 0::4] - vocab.ONSET
    assert (np.abs(low - 40) <= 4).all()
    assert np.abs(out[1, 0::4] - vocab.ONSET - 40).max() > 10  # no bias: anywhere


class SecondHalfSilent:
    """Onsets likely in the first bars, silence sure in the last ones: a model whose notes
    gather at the start of a region (compose left a flute mute in its last three bars)."""

    max_steps = 64

    def __call__(self, tokens, roles, beat_pos):
        logits = torch.zeros(*tokens.shape, vocab.VOCAB_SIZE)
        half = tokens.shape[-1] // 2
        logits[..., :half, vocab.REST] = 1.0
        logits[..., half:, vocab.REST] = 9.0
        return logits


def test_every_bar_gets_part_of_the_onset_target():
    tokens, roles, beat = _grid()  # three 16-step bars
    editable = np.ones_like(tokens, dtype=bool)
    out = sample(SecondHalfSilent(), tokens, editable, roles, beat, _pitched_allowed(LANES),
                 GenerateOptions(steps=8, seed=3), lambda p: None, CancelToken(),
                 onset_rate=np.full(LANES, 0.2))
    per_bar = [_onsets(out[:, b * 16:(b + 1) * 16], editable[:, b * 16:(b + 1) * 16])
               for b in range(3)]
    share = 0.2 * LANES * 16
    assert min(per_bar) >= 0.4 * share, per_bar  # the last bar is not left silent
    _assert_legal(out)


def test_a_part_keeps_the_shape_of_the_notes_it_replaces():
    # A regenerated part rests in the bars it rested in (a breakdown, a tacet bar) and is
    # as busy bar by bar as it was: one target for the window and a floor in every bar
    # filled a QA's bass in all 15 of its silent bars.
    tokens, roles, beat = _grid()  # three 16-step bars, every lane busy...
    tokens[:, 16:32] = vocab.REST  # ...but the middle one
    tokens[1:, 32:] = vocab.REST  # and one lane's notes in the last
    editable = np.ones_like(tokens, dtype=bool)
    groups = np.zeros(LANES, dtype=np.int64)  # one track
    rate, sustain, rests = shaped_targets(tokens, editable, groups, beat,
                                          np.full(LANES, 0.1), np.full(LANES, 0.4))
    assert rate.shape == sustain.shape == rests.shape == tokens.shape
    assert np.allclose(rate[:, :16], 16 / 64) and (rate[:, 16:32] == 0).all()
    assert np.allclose(rate[:, 32:], 4 / 64) and (sustain[:, 16:32] == 0).all()
    assert rests[:, 16:32].all() and not rests[:, :16].any() and not rests[:, 32:].any()
    # The model steered bar by bar: the busy first bar busier than the sparse last one
    # (one target for the three bars and a floor gave them alike); the rests, as the
    # plugin applies them, silence the middle one.
    model = RestLover(margin=2.0)
    allowed = np.repeat(_pitched_allowed(LANES)[:, None], STEPS, 1)
    allowed[rests] = False
    allowed[rests, vocab.REST] = True
    for seed in (1, 2, 3):
        out = sample(model, tokens, editable, roles, beat, allowed,
                     GenerateOptions(steps=8, seed=seed), lambda p: None, CancelToken(),
                     onset_rate=rate, sustain=sustain, lane_groups=groups)
        per_bar = [_onsets(out[:, b * 16:(b + 1) * 16], editable[:, b * 16:(b + 1) * 16])
                   for b in range(3)]
        assert per_bar[0] > 2 * per_bar[2] > 0 == per_bar[1], per_bar
        _assert_legal(out)


def test_a_part_with_nothing_to_replace_keeps_its_rate():
    # An empty track (harmonized, composed) and steps past the song's end (nothing was
    # written there yet) keep the target the music around gives.
    tokens, _, beat = _grid()
    editable = np.zeros_like(tokens, dtype=bool)
    editable[2:] = True
    tokens[2:] = vocab.REST  # lanes 2-3: an empty track
    groups = np.array([0, 0, 1, 1])
    rate = np.array([np.nan, np.nan, 0.2, 0.2])
    out, _, rests = shaped_targets(tokens, editable, groups, beat, rate, rate)
    assert np.isnan(out[:2]).all() and (out[2:] == 0.2).all() and not rests.any()
    tokens, _, beat = _grid()
    editable = np.ones_like(tokens, dtype=bool)
    known = np.arange(STEPS) < 32  # the last bar is new
    out, _, _ = shaped_targets(tokens, editable, np.zeros(LANES, dtype=np.int64), beat,
                               np.full(LANES, 0.3), np.full(LANES, 0.5), known)
    assert np.allclose(out[:, :32], 16 / 64) and (out[:, 32:] == 0.3).all()


class FirstStepsSilent:
    """Silence sure in the first 8 columns, onsets likely after."""

    max_steps = 64

    def __call__(self, tokens, roles, beat_pos):
        logits = torch.zeros(*tokens.shape, vocab.VOCAB_SIZE)
        logits[..., :8, vocab.REST] = 9.0
        logits[..., 8:, vocab.REST] = 1.0
        return logits


def test_a_window_starting_inside_a_bar_counts_that_part_as_a_bar_of_its_own():
    tokens, roles, _ = _grid(40)
    beat = (np.arange(40, dtype=np.int64) + 8) % 16  # half a bar, then two and a half
    editable = np.ones_like(tokens, dtype=bool)
    out = sample(FirstStepsSilent(), tokens, editable, roles, beat, _pitched_allowed(LANES),
                 GenerateOptions(steps=8, seed=3), lambda p: None, CancelToken(),
                 onset_rate=np.full(LANES, 0.2))
    first_part = _onsets(out[:, :8], editable[:, :8])
    assert first_part > 0  # its own share (0.75 of 6.4), not lumped with the next bar


def test_cells_pinned_to_one_or_two_pitch_classes_are_found_for_deciding_first():
    # A cadence's bass (only the tonic, struck) is decided before the music leading into
    # it, so the bass that moves to it is drawn against it (it moved in octaves with the
    # melody into the close).
    from engine.models.sampler import _pinned

    static = np.zeros((4, vocab.VOCAB_SIZE), dtype=bool)
    static[0, [vocab.ONSET + 43, vocab.ONSET + 55]] = True  # G2 or G3, struck: pinned
    static[1, [vocab.ONSET + 43, vocab.ONSET + 47, vocab.ONSET + 50]] = True  # a triad: free
    static[2, [vocab.REST, vocab.ONSET + 43]] = True  # may rest: free
    static[3, vocab.DRUM] = True  # a drum hit: free
    assert _pinned(static).tolist() == [True, False, False, False]


def test_a_chord_tracks_lanes_strike_no_minor_second_together():
    # A continued piano had a semitone in half its chords (the song's own: none).
    import torch

    from engine.models.sampler import _Density, _Window

    groups = np.array([0, 0, 1])  # a two-lane piano, and a one-lane bass
    beat = torch.zeros((1, 4), dtype=torch.long)
    win = _Window(None, torch.zeros((1, 3), dtype=torch.long), beat, None, 0,
                  np.full(3, vocab.REST), np.full(3, vocab.REST), GenerateOptions(),
                  np.random.default_rng(0), "cosine", _Density.of(None, groups, None),
                  lambda *a, **k: None, groups, None)
    grid = np.full((3, 4), vocab.MASK)
    grid[0, 1] = vocab.ONSET + 60  # the piano strikes C4 in column 1
    grid[2, 1] = vocab.ONSET + 61  # the bass's C#4 is another track: no rule between them
    ok = np.ones((2, vocab.VOCAB_SIZE), dtype=bool)
    legal = win._legal(grid, ok, np.array([1, 2]), np.array([1, 1]))
    assert not legal[0, vocab.ONSET + 59] and not legal[0, vocab.ONSET + 61]
    assert legal[0, vocab.ONSET + 62] and legal[0, vocab.ONSET + 64]  # a second, a third
    assert legal[1, vocab.ONSET + 59]  # the bass is free of the piano's lanes


def test_a_pinned_cell_is_decided_with_the_first_window_that_sees_it(net):
    """A hymn's bass moved in octaves with the tune into its pinned last note in every
    seed: the chord before it was the previous span's, drawn while the last note was
    still masked. A pinned cell of a later span is decided with the window that sees it
    first, before the cells around it."""
    steps, size = 128, 64
    tokens = np.full((LANES, steps), vocab.REST, dtype=np.int64)
    editable = np.zeros_like(tokens, dtype=bool)
    editable[3] = True  # the bass
    allowed = np.zeros((LANES, steps, vocab.VOCAB_SIZE), dtype=bool)
    allowed[..., [vocab.REST, vocab.HOLD]] = True
    allowed[..., vocab.ONSET + 36 : vocab.ONSET + 60] = True
    pin = 40  # in the second span (32..64) of the first window (0..64)
    allowed[3, pin] = False
    allowed[3, pin, [vocab.ONSET + 43, vocab.ONSET + 55]] = True  # G2 or G3
    seen: list[np.ndarray] = []

    def recording(x, r, b):
        seen.append(x[0].numpy().copy())
        return net(x, r, b)

    recording.max_steps = size
    out = _run(recording, tokens, editable, np.full(LANES, 6), np.arange(steps) % 16,
               allowed)
    assert out[3, pin] in (vocab.ONSET + 43, vocab.ONSET + 55)
    first_window = [x for x in seen if x.shape[1] == size][:4]  # its steps' calls
    assert first_window[-1][3, pin] != vocab.MASK  # decided while the first span was drawn
