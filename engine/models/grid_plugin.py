"""A :class:`~engine.plugins.api.ModelPlugin` over any lane-grid denoiser.

:meth:`GridModelPlugin.generate`:

1. takes a window around the mask (``context_bars`` whole bars each side);
2. gives every masked track its lanes (:meth:`GridSpec.lanes_to_write`) and the other
   tracks as many as their music in the window needs, within ``context_lanes`` lanes in
   all (the widest context tracks give up lanes first: :func:`plan_lanes`) — when the
   masked tracks alone need more lanes than the model has, they are written in groups,
   each group seeing the ones written before it;
3. encodes the window (off-grid notes placed, rounded, as context), builds the editable
   cells and legal tokens (:mod:`engine.models.constraints`: ``options.key``,
   ``options.pitch_range`` — on a kit, the drums whose notes lie in it — and
   ``options.keep_rhythm`` are honoured there, and ``options.follow_chords``: the song's
   chord symbols, :mod:`engine.models.chord_follow`), runs the sampler with an
   onset-density target per masked track taken from the window (the track's own density
   around the region, or its role's for an empty track; ``options.density`` scales it:
   :func:`engine.models.sampler.context_onset_rate`) and a sustain target (how much of
   the time the track sounds there: :func:`engine.models.sampler.context_sustain`) and a
   strike-together target (the share of its onsets its lanes strike together:
   :func:`engine.models.sampler.context_together`) and, for a track playing power chords
   (or a new distorted guitar), the chord shape it keeps (:mod:`engine.models.voicing`), decodes
   the notes that start in editable cells (they end where the editable cells end, so
   nothing reaches past the mask), leaves at most one sounding note per pitch in a track
   (:func:`engine.score.overlaps.resolve_overlaps`: lanes of one track may sample one pitch
   at once; kept notes never change) and gives them lengths and velocities from their
   context (:mod:`engine.models.articulation`, :mod:`engine.models.velocity`), then the
   micro-timing of a swung context (:mod:`engine.models.groove`; it also tells the
   encoder where swung notes belong on the grid).

The result holds notes only inside the mask, for every masked track.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import partial
from typing import NamedTuple

import numpy as np
import torch

from engine.plugins.api import (
    CancelToken,
    CannotGenerate,
    GenerateOptions,
    ModelInfo,
    Progress,
    ProgressCallback,
)
from engine.plugins.builtin import ENDING, GRID_OPTIONS
from engine.score import (
    Mask,
    Note,
    Region,
    Song,
    TimeMap,
    replace_in_mask,
    split_at_mask_ends,
)
from engine.score.keys import context_key
from engine.score.mask_geometry import band_out_of_reach
from engine.score.satb import voiced

from . import vocab
from .articulation import articulate
from .constraints import (
    OWN_RANGE_MARGIN,
    build_problem,
    final_cadence,
    opening_chord,
    piece_close,
    track_register,
)
from .grid import (
    EncodedSong,
    GridSpec,
    chord_size,
    decode,
    default_lanes,
    encode,
    fit_budget,
    resolve_overlaps,
    snap_step,
    strike_ticks,
)
from .groove import Groove, apply_groove, song_grooves, swings
from .kick_lock import locks_to_kick
from .rule_drums import (
    ORCHESTRA_KIT,
    TIMPANI_PROGRAM,
    orchestral_percussion,
    orchestral_timpani,
    synthetic_drums,
)
from .sampler import (
    context_onset_rate,
    context_sustain,
    context_together,
    default_onset_rate,
    default_sustain,
    held_together,
    kit_shares,
    replaced_lanes,
    rhythm_bias,
    shaped_targets,
)
from .velocity import assign_velocities
from .voice_leading import false_relations, voice_order
from .voicing import context_shapes, lane_shapes

Denoiser = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
Sampler = Callable[..., np.ndarray]

# Context around the mask. The network's cost grows with lanes × steps, and a repaint of
# a few bars hears what it needs next to it: with 2 bars each side and 6 lanes in all, a
# 4-bar repaint of a 4-lane piano is at most a 128-step × 6-lane grid (12 lanes and, at a
# song's edge, up to 8 bars before), and the model predicts the real bars at least as
# well (one-pass NLL of the masked notes of the demo song, 75 four-bar masks over its 5
# tracks: 1.279 nats against 1.297 with the old context; issue #7).
CONTEXT_BARS = 2
CONTEXT_LANES = 6
# The density target is read from a wider span than the network sees: counting notes is
# cheap, and the bars right next to a mask can be an intro or a final chord (continuing
# the demo from its held last chord wrote 36 notes in 4 bars with a 2-bar reading, where
# the song plays ~136).
DENSITY_BARS = 8
RULE_REPEATS = 4  # times a new kit's rule-made groove is read over (_new_kits_idiom)
RULE_CAP = 4.0  # nats its rhythm may add or take: the idiom, not a part's own habit
# A kit striking on fewer 16ths than this in the density window, none of its hits being
# replaced, has no groove to keep: a count-in, a crash before the band comes in. Left to
# itself beside a count-in, partita-base put the snare on all four beats in 1 of 4
# harmonizations of a pop tune (backbeat in 21 of 32 bars), and beside a lone crash wrote
# no backbeat at all (0 of 32; the crash's rate was its target). One bar of 8th hats,
# kick and snare strikes on 8 16ths: a pattern, which the model continues
# (bench_backbeat.py).
PATTERN_STEPS = 8
MIN_CONTEXT_LANES = 2  # context lanes kept beside many written ones (the bass, say)


class TextureTargets(NamedTuple):
    """What a written track aims for, per cell of a window (:meth:`GridModelPlugin.
    texture_targets`): the sampler's onset and sustain targets, the cells that must rest,
    the onsets' rhythm bias, a kit's drum mix and the lanes held to their own notes."""

    rate: np.ndarray
    sustain: np.ndarray
    rests: np.ndarray
    rhythm: np.ndarray
    drum_share: np.ndarray
    firm: np.ndarray  # (L,) lanes of tracks whose notes are replaced: their own targets


class GridModelPlugin:
    """Implements the model plugin protocol on top of a denoiser and the grid codec.

    ``denoiser``: a ready denoiser, or ``load(precision) -> denoiser`` to build one per
    precision on first use (``"auto"`` means ``info.default_precision``). ``sampler``
    defaults to :func:`engine.models.sampler.sample`.
    """

    def __init__(
        self,
        info: ModelInfo,
        denoiser: Denoiser | None = None,
        *,
        load: Callable[[str], Denoiser] | None = None,
        spec: GridSpec | None = None,
        sampler: Sampler | None = None,
        context_bars: int = CONTEXT_BARS,
        context_lanes: int = CONTEXT_LANES,
    ) -> None:
        if denoiser is None and load is None:
            raise ValueError("GridModelPlugin needs a denoiser or a load function")
        # Every grid model honours these settings: declared, the studio offers them (the
        # built-in models' before they load: engine.plugins.builtin).
        declared = {o.name for o in info.options}
        missing = tuple(o for o in GRID_OPTIONS if o.name not in declared)
        if missing:
            info = replace(info, options=(*info.options, *missing))
        self.info = info
        self.spec = spec or GridSpec(max_lanes=info.max_lanes or GridSpec().max_lanes)
        self.context_bars = context_bars
        self.context_lanes = context_lanes
        self._denoiser = denoiser
        self._load = load
        self._loaded: dict[str, Denoiser] = {}
        self._sampler = sampler

    # -- the plugin call -----------------------------------------------------------------------
    def generate(
        self,
        song: Song,
        mask: Mask,
        options: GenerateOptions,
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> dict[int, tuple[Note, ...]]:
        masked = [t for t in song.tracks if t.id in mask.track_ids]
        if mask.is_empty or not masked:
            return {}
        # Harmonize's Violin II, Viola and Cello are read as the Alto, Tenor and Bass they
        # play (ranges, one line each, order under the melody): by their instruments'
        # names the Violin II sounded above a violin's tune in half its eighths.
        song = voiced(song)
        # A replaced note sounding on past the mask keeps its tail (the take's edit puts
        # it back): the model hears it struck where the mask ends, not silence there.
        song = split_at_mask_ends(song, mask)
        if options.pitch_range is None:
            problem = band_out_of_register(song, mask)
            if problem:  # about the request: the job fails without blaming the model
                raise CannotGenerate(problem)
        cancel.raise_if_cancelled()
        denoiser = self.denoiser(options.precision)
        sample = self._sampler or _default_sampler()
        w0, w1 = self.window(song, mask)
        groups = self._groups(song, [t.id for t in masked], w0, w1)
        result: dict[int, tuple[Note, ...]] = {}
        kept = mask.notes_outside(song)
        replaced = mask.notes_inside(song)  # keep rhythm's timings, velocities' levels
        # A melody harmonized to its end closes on the tonic chord (harmonize may leave the
        # key free, so the melody's key is read here for the last chord only).
        found = context_key(song, mask)
        key = options.key or found
        # The key Auto found in an unsigned song's notes (engine.tasks.keys.resolve_key) is
        # read as found, not named: the melody may still close in its relative minor (a
        # tune read in G major, whose scale an E-minor one fits as well, closing on E).
        named = bool(options.key) and not (options.key == found
                                           and song.key_at(mask.span[0]) is None)
        ending = options.extra.get(ENDING.name, ENDING.default)
        cadence = None if ending == "open" else (
            final_cadence(song, mask, key, named=named)
            or piece_close(song, mask, key, always=ending == "close"))
        opening = opening_chord(song, mask, key, named=named)
        # Swing around the mask: the window is read through it, the new notes are played
        # in it. Kept rhythm is the user's own timing; straight music reads no groove.
        grooves = {} if options.keep_rhythm else song_grooves(song, mask)
        work = song
        for g, (plan, write) in enumerate(groups):
            enc = encode(work, self.spec, w0, w1, lanes=plan, snap_off_grid=True,
                         grooves=grooves)
            problem = build_problem(enc, work, mask, write, key=options.key,
                                    keep_rhythm=options.keep_rhythm,
                                    pitch_range=options.pitch_range, cadence=cadence,
                                    opening=opening, chords=options.follow_chords,
                                    swing=swings(grooves, song.ppq))
            seed = None if options.seed is None else options.seed + 7919 * g
            groups_ = np.asarray(enc.lane_tracks)
            aims = self.texture_targets(work, mask, plan, enc, problem.editable, grooves)
            allowed = problem.allowed  # this group's own: narrowed in place
            if aims.rests.any():  # a bar the replaced part rested in: it rests (no note)
                allowed[aims.rests] = False
                allowed[aims.rests, vocab.REST] = True
            programs = [-1 if work.track(t).is_drum else work.track(t).program
                        for t in enc.lane_tracks]
            out = sample(denoiser, problem.tokens, problem.editable, enc.roles, enc.beat_pos,
                         allowed, replace(options, seed=seed),
                         _group_progress(progress, g, len(groups)), cancel,
                         onset_rate=aims.rate, sustain=aims.sustain, lane_groups=groups_,
                         together=held_together(
                             context_together(enc.tokens, problem.editable, groups_,
                                              enc.drum_lanes), programs, groups_),
                         shapes=lane_shapes(
                             context_shapes(enc.tokens, problem.editable, groups_,
                                            enc.drum_lanes), programs, groups_),
                         logit_bias=problem.logit_bias, onset_bias=aims.rhythm,
                         drum_share=aims.drum_share, firm=aims.firm,
                         pitch_pull=problem.pitch_pull, line_pull=problem.line_pull,
                         held_clash=problem.held_clash,
                         voice_order=voice_order(work, enc.lane_tracks)
                         if options.avoid_parallels else None,
                         clashes=false_relations(key)
                         if options.avoid_parallels and key else None)
            decoded = (lane_notes(enc, out, problem.editable) if options.keep_rhythm else
                       {t: [notes] for t, notes in decode(enc, out,
                                                           where=problem.editable).items()})
            new = {}
            for tid in write:
                lanes = [[n for n in notes if mask.contains_note(tid, n)
                          and in_range(n, options.pitch_range)] for notes in decoded.get(tid, ())]
                if options.keep_rhythm:
                    # Matched on the steps the encoder used (kept rhythm reads no groove
                    # today; were it to, the same snapping).
                    groove = grooves.get(tid)
                    to_grid = (partial(groove.grid_tick, tm=TimeMap.of(work), ppq=song.ppq)
                               if groove else None)
                    notes = keep_timing(lanes, replaced.get(tid, ()), song.ppq, to_grid)
                else:
                    notes = [n for lane in lanes for n in lane]
                # One sounding note per pitch in a track: lanes of one track may have
                # sampled a pitch twice, and kept notes never change.
                new[tid] = resolve_overlaps(notes, kept.get(tid, ()))
            result.update(new)
            if g + 1 < len(groups):
                sub = Mask.of(*(Region(r.track_ids & set(write), r.start, r.end, r.pitch_lo,
                                       r.pitch_hi) for r in mask.regions))
                work = replace_in_mask(work, sub, new).apply(work)
        grid = result  # as the grid wrote them: the groove moves their lines
        if not options.keep_rhythm:  # kept rhythm is the user's timing, lengths included
            result = articulate(song, result, kept, replaced, grooves)
        # Levels are read where the notes will be heard, in the groove (the melody note
        # sounding over a swung 8th is the swung one).
        heard_at = {tid: partial(g.place, tm=TimeMap.of(song), ppq=song.ppq)
                    for tid, g in grooves.items()}
        result = assign_velocities(song, result, kept, mask.span, options.seed,
                                   replaced=replaced, heard_at=heard_at)
        # Last: lengths and accents are fitted on the grid, then the notes are swung.
        return apply_groove(song, result, grooves, mask, kept, grid) if grooves else result

    # -- parts ---------------------------------------------------------------------------------
    def denoiser(self, precision: str = "auto") -> Denoiser:
        """The denoiser for ``precision`` (built once per precision when ``load`` is set)."""
        if self._load is None:
            assert self._denoiser is not None
            return self._denoiser
        p = self.info.default_precision if precision in ("auto", "", None) else precision
        if p not in self._loaded:
            self._loaded[p] = self._load(p)
        return self._loaded[p]

    def window(self, song: Song, mask: Mask, bars: int | None = None) -> tuple[int, int]:
        """Ticks of the encoded window: the mask's bars plus ``bars`` (default
        ``context_bars``) each side, within the song. It stops where the music (or the
        mask) ends, even mid-bar: the rest of a last bar would be silence in every voice,
        which the network reads as the piece ending early (a chorale's lower voices fell
        silent a beat before the melody's last note)."""
        bars = self.context_bars if bars is None else bars
        tm = TimeMap.of(song)
        lo, hi = mask.span
        first = max(0, tm.tick_to_bar(lo) - bars)
        last = tm.tick_to_bar(max(lo, hi - 1)) + bars
        end = max(song.end, hi)
        song_bars = tm.bar_count(end)
        return tm.bar_to_tick(first), min(end, max(hi, tm.bar_to_tick(min(last, song_bars - 1)
                                                                       + 1)))

    def texture_targets(
        self, song: Song, mask: Mask, plan: dict[int, int], enc: EncodedSong,
        editable: np.ndarray, grooves: Mapping[int, Groove] | None = None,
    ) -> TextureTargets:
        """The sampler's targets per cell of ``enc``, read over :data:`DENSITY_BARS` bars
        each side: onsets per cell (:func:`context_onset_rate`) and sounding cells per cell
        (:func:`context_sustain`: a written track's note lengths, where it has notes),
        shaped bar by bar for a track whose notes are replaced, the cells that must
        rest (the bars it rested in: :func:`shaped_targets`), the nats each cell's
        onsets get for where in the bar its track strikes (:func:`rhythm_bias`), and a
        kit's mix of drums (:func:`kit_shares`)."""
        d0, d1 = self.window(song, mask, max(DENSITY_BARS, self.context_bars))
        lane_tracks = np.asarray(enc.lane_tracks)
        written = {t: n for t, n in plan.items() if editable[lane_tracks == t].any()}
        # The other tracks' densities count only for a written track that is silent in
        # the wide window (it borrows its peers'): encode the written tracks alone first,
        # which is what a repaint of one track needs, and everything only when one is.
        for lanes in (written, plan):
            wide = encode(song, self.spec, d0, d1, lanes=lanes, snap_off_grid=True,
                          grooves=grooves)
            wide_tracks = np.asarray(wide.lane_tracks)
            onsets = wide.tokens >= vocab.ONSET
            # A kit with no groove of its own (:func:`grooveless_kits`) is read as an
            # empty one: its few hits say neither how busy it is nor where it strikes.
            new_kits = grooveless_kits(song, mask, wide)
            if lanes is plan or all(onsets[wide_tracks == t].any() and t not in new_kits
                                    for t in written):
                break
        # A timpani part with nothing in the window follows an orchestra's idiom too.
        new_timpani = [t for t in dict.fromkeys(wide.lane_tracks)
                       if song.track(t).program == TIMPANI_PROGRAM
                       and not song.track(t).is_drum and not onsets[wide_tracks == t].any()]
        idiom = self._new_kits_idiom(song, wide, lanes, d0, d1, grooves, new_kits,
                                     new_timpani)
        counted = wide.tokens.copy()
        counted[np.isin(wide_tracks, new_kits)] = vocab.REST
        rows = np.isin(lane_tracks, list(lanes))
        at = int(np.searchsorted(wide.step_ticks, enc.start_tick))
        wide_editable = np.zeros(wide.tokens.shape, dtype=bool)
        wide_editable[:, at : at + enc.n_steps] = editable[rows, : wide.n_steps - at]
        rate = np.full(len(lane_tracks), np.nan)
        defaults = np.array([default_onset_rate(song.track(t).program, song.track(t).is_drum)
                             for t in wide.lane_tracks])
        rate[rows] = context_onset_rate(counted, wide_editable, wide_tracks, wide.drum_lanes,
                                        defaults)
        sustain = np.full(len(lane_tracks), np.nan)
        sustain[rows] = context_sustain(
            counted, wide_editable, wide_tracks, wide.drum_lanes,
            np.array([default_sustain(song.track(t).program, song.track(t).is_drum)
                      for t in wide.lane_tracks]))
        # A track whose notes are replaced keeps their shape bar by bar (rests included);
        # bars past the music's last note (a repaint that lengthens the song) have none.
        known = enc.step_ticks[:-1] < song.notes_end
        rate, sustain, rests = shaped_targets(enc.tokens, editable, lane_tracks, enc.beat_pos,
                                              rate, sustain, known)
        rhythm = rhythm_bias(idiom, wide_tracks, wide.beat_pos, wide.drum_lanes,
                             lane_tracks, enc.beat_pos)
        if new_kits or new_timpani:
            # The rule-made groove is the same bar after bar: read over four times the
            # window, a 4-bar part is as sure of it as a 16-bar one (its 8 snare hits
            # were too few to say where a snare goes).
            sure = rhythm_bias(np.tile(idiom, RULE_REPEATS), wide_tracks,
                               np.tile(wide.beat_pos, RULE_REPEATS), wide.drum_lanes,
                               lane_tracks, enc.beat_pos, cap=RULE_CAP)
            rows = np.isin(lane_tracks, new_kits + new_timpani)
            rhythm[rows] = sure[rows]
        return TextureTargets(
            rate, sustain, rests, rhythm,
            kit_shares(idiom, wide_tracks, wide.drum_lanes, lane_tracks),
            replaced_lanes(enc.tokens, editable, lane_tracks, known))

    def _new_kits_idiom(self, song: Song, wide: EncodedSong, lanes: dict[int, int],
                        d0: int, d1: int, grooves: Mapping[int, Groove] | None,
                        new: list[int], timpani: list[int] = ()) -> np.ndarray:
        """``wide.tokens`` with the lanes of the kits ``new`` (no groove in the window:
        :func:`grooveless_kits`) holding the rule-made groove partita-base learned its
        drums from (:func:`~engine.models.rule_drums.synthetic_drums`: in 4/4 the kick on
        1 and 3, the snare on 2 and 4; on an Orchestra kit an orchestra's percussion,
        :func:`~engine.models.rule_drums.orchestral_percussion`), and those of the empty
        ``timpani`` parts a timpanist's strokes and rolls
        (:func:`~engine.models.rule_drums.orchestral_timpani`): where each drum strikes
        and the kit's mix then follow it. Left to the model, six 4-bar drum parts
        composed at 90 BPM kept the snare on 2 and 4 in 11 of 24 bars and crashed on 16
        of 24 downbeats (a producer's QA)."""
        tracks = np.asarray(wide.lane_tracks)
        new = [*new, *timpani]
        if not new:
            return wide.tokens
        groove = synthetic_drums(song, seed=0).notes
        # An Orchestra kit plays an orchestra's percussion, not a drummer's groove.
        section = (orchestral_percussion(song, seed=0).notes
                   if any(song.track(t).program == ORCHESTRA_KIT for t in new) else ())
        strokes = orchestral_timpani(song).notes if timpani else ()
        ruled = song.with_tracks(
            replace(song.track(t), notes=strokes if t in timpani
                    else section if song.track(t).program == ORCHESTRA_KIT
                    else groove) if t in new else song.track(t) for t in lanes)
        made = encode(ruled, self.spec, d0, d1, lanes=lanes, snap_off_grid=True,
                      grooves=grooves)
        tokens = wide.tokens.copy()
        rows = np.isin(tracks, new)
        tokens[rows] = made.tokens[rows]
        return tokens

    def _groups(
        self, song: Song, masked: list[int], w0: int, w1: int
    ) -> list[tuple[dict[int, int], list[int]]]:
        """Lane plans: each writes some masked tracks, with the rest as context. An 808
        written with a kit comes in a later group than the kit's, so it hears the new
        kicks it locks to (:mod:`engine.models.kick_lock`)."""
        budget = self.spec.max_lanes
        late = ([t for t in masked if locks_to_kick(song.track(t))]
                if any(song.track(t).is_drum for t in masked) else [])
        masked = [t for t in masked if t not in late] + late
        want: dict[int, int] = {}
        for tid in masked:
            track = song.track(tid)
            poly = default_lanes(song.with_tracks([track]), self.spec, 0, song.end).get(tid, 0)
            # A track keeps lanes for the chords it strikes (a pad of four-note chords).
            want[tid] = min(budget, self.spec.lanes_to_write(track, poly,
                                                             chord_size(track.notes, song.ppq)))
        batches: list[list[int]] = [[]]
        for tid in masked:
            if batches[-1] and (sum(want[t] for t in batches[-1]) + want[tid] > budget
                                or (tid in late and batches[-1][-1] not in late)):
                batches.append([])
            batches[-1].append(tid)
        context = default_lanes(song.with_tracks(t for t in song.tracks if t.id not in want),
                                self.spec, w0, w1)
        order = [t.id for t in song.tracks]
        plans = []
        written: list[int] = []
        for batch in batches:
            lanes = dict(context)
            for tid in written:  # earlier groups' tracks are context now
                lanes[tid] = want[tid]
            lanes.update({tid: want[tid] for tid in batch})
            plans.append((plan_lanes(lanes, batch, order, budget, self.context_lanes), batch))
            written += batch
        return plans


def grooveless_kits(song: Song, mask: Mask, wide: EncodedSong) -> list[int]:
    """The kits of ``wide`` (the density window) with no groove there to keep: a new drum
    part, or one whose hits fall on fewer than :data:`PATTERN_STEPS` 16ths, none of them
    replaced (a count-in, a crash before the band comes in). A kit that plays a pattern
    around the mask is continued in its own, and a sketch being rewritten keeps its own
    habits."""
    tracks = np.asarray(wide.lane_tracks)
    replaced = mask.notes_inside(song)
    return [t for t in dict.fromkeys(wide.lane_tracks) if song.track(t).is_drum
            and not replaced.get(t)
            and int((wide.tokens[tracks == t] >= vocab.DRUM).any(0).sum()) < PATTERN_STEPS]


def plan_lanes(
    lanes: dict[int, int], write: list[int], order: list[int], budget: int, context: int
) -> dict[int, int]:
    """Lanes per track (in song ``order``) for one generation: the tracks in ``write`` keep
    theirs; the others share what is left of ``context`` lanes in all (at least
    :data:`MIN_CONTEXT_LANES` beside the written ones; never more than ``budget``, the
    model's maximum), the widest giving up lanes first, so every context track keeps its
    main voice before a track is dropped (later tracks first)."""
    written = sum(lanes[t] for t in write)
    total = min(budget, max(context, written + MIN_CONTEXT_LANES))
    rank = {t: i for i, t in enumerate(order)}
    ordered = dict(sorted(lanes.items(), key=lambda kv: rank[kv[0]]))
    return fit_budget(ordered, total, keep=write)


def _default_sampler() -> Sampler:
    from .sampler import sample

    return sample


def _group_progress(progress: ProgressCallback, group: int, groups: int) -> ProgressCallback:
    if groups == 1:
        return progress

    def report(p: Progress) -> None:
        done = (group + p.step / max(p.total, 1)) / groups
        progress(Progress(round(1000 * done), 1000, f"tracks {group + 1}/{groups}: {p.message}"))

    return report


def band_out_of_register(song: Song, mask: Mask) -> str | None:
    """Why a painted pitch band gets no note from this model, or None: every track it
    covers keeps to a register (:func:`track_register`: a part with notes, its own range
    ± 2 semitones) the band misses — the takes would all be empty. A kit's lanes take
    drum classes, not its register: a region with drums is never refused here."""
    found = band_out_of_reach(mask, song, lambda t: (0, 127) if t.is_drum
                              else track_register(song, t.id))
    if found is None:
        return None
    return (f"the pitch band {found.band} lies outside the register the model keeps each "
            f"part to ({found.reaches}: the notes a part has, ± {OWN_RANGE_MARGIN} "
            "semitones); paint a band inside it, or name a pitch range (the Generate "
            "panel's, or the CLI's --range LO-HI)")


def in_range(note: Note, pitch_range: tuple[int, int] | None) -> bool:
    """Is ``note`` in the user's pitch range? Pitched lanes never leave it; a layered
    drum hit (a kick struck as Kick 2 and Kick) may have a note outside it."""
    return pitch_range is None or min(pitch_range) <= note.pitch <= max(pitch_range)


def keep_timing(
    lanes: Iterable[Iterable[Note]], replaced: Iterable[Note], ppq: int,
    to_grid: Callable[[int], int] | None = None,
) -> list[Note]:
    """With *keep rhythm*, a generated note takes the exact start and length of the note it
    replaces: the grid holds both on 16th steps, so a 216-tick staccato eighth would come
    back 240 ticks long. A generated note matches a replaced one that starts and ends on
    its steps — the steps the encoder put that note on (:func:`~engine.models.grid.
    snap_step`, through ``to_grid``: the track's groove where it has one; a strum's
    strings start on the step of its strike, :func:`~engine.models.grid.strike_ticks`).
    Several notes on one pair of steps (a strummed chord: strings 12 ticks apart, each a
    little shorter)
    take the replaced notes' timings by pitch, lowest to lowest, so a strum keeps its
    shape, down or up (:func:`_strum_timings`). ``lanes``: the generated notes lane by
    lane; a note never sounds past the next one of its lane (a swung tune's quarter-note
    triplet came back 360 ticks long over the next note when the two roundings
    disagreed)."""
    def step(tick: int) -> int:
        return snap_step(to_grid(tick) if to_grid else tick, ppq)

    replaced = list(replaced)
    strikes = strike_ticks(replaced, ppq)  # a strum's strings: on the step of its strike
    old: dict[tuple[int, int], list[Note]] = {}
    for r in replaced:
        a = step(strikes.get(r.id, r.start))
        old.setdefault((a, max(step(r.end), a + 1)), []).append(r)
    lanes = [sorted(lane, key=Note.key) for lane in lanes]
    new: dict[tuple[int, int], list[tuple[int, int]]] = {}  # steps → (lane, index)
    for i, lane in enumerate(lanes):
        for j, n in enumerate(lane):
            new.setdefault((step(n.start), step(n.end)), []).append((i, j))
    for steps, places in new.items():
        if steps not in old:
            continue
        places.sort(key=lambda p: (lanes[p[0]][p[1]].pitch, p))
        for (i, j), match in zip(places, _strum_timings(old[steps], len(places)), strict=True):
            lanes[i][j] = replace(lanes[i][j], start=match.start, duration=match.duration)
    out = []
    for lane in lanes:
        timed = sorted(lane, key=Note.key)
        # (a lane that wrote nothing has no pairs: a piano's second lane over one note)
        for n, nxt in zip(timed, [*timed[1:], None][:len(timed)], strict=True):
            if nxt is not None and n.start < nxt.start < n.end:
                n = replace(n, duration=nxt.start - n.start)
            out.append(n)
    return out


def _strum_timings(replaced: list[Note], count: int) -> list[Note]:
    """The timings of ``count`` new notes, lowest first, from the ``replaced`` notes of
    one pair of steps: lowest pitch to lowest pitch. A chord of other size spans the same
    strum (its lowest and highest notes take the old lowest's and highest's timing); a
    lone note takes the earliest (the chord's first string)."""
    by_pitch = sorted(replaced, key=lambda r: (r.pitch, r.start, r.duration))
    if count == 1:
        return [min(replaced, key=lambda r: (r.start, r.pitch))]
    last = len(by_pitch) - 1
    return [by_pitch[round(k * last / (count - 1))] for k in range(count)]


def lane_notes(encoded: EncodedSong, tokens: np.ndarray,
               where: np.ndarray) -> dict[int, list[tuple[Note, ...]]]:
    """Per track, the notes :func:`decode` gives from ``where``, lane by lane."""
    out: dict[int, list[tuple[Note, ...]]] = {}
    for lane, tid in enumerate(encoded.lane_tracks):
        row = np.zeros_like(where)
        row[lane] = where[lane]
        out.setdefault(tid, []).append(decode(encoded, tokens, where=row).get(tid, ()))
    return out
