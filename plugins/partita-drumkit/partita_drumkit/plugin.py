"""The Drumkit model plugin: writes grooves into the masked drum tracks of a song."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import replace

from engine.plugins.api import (
    CancelToken,
    CannotGenerate,
    GenerateOptions,
    ModelInfo,
    ModelOption,
    Progress,
    ProgressCallback,
)
from engine.score import Mask, Note, Song, TimeMap, Track
from engine.score.drums import DrumKit as TrackKit
from engine.score.instruments import role_of

from .feel import WINDOW_BARS, hat_every, song_swing
from .groove import (
    STYLES,
    BarSpec,
    bar_hits,
    house_sixteenths,
    nearest_step,
    resolve_style,
    step_tick,
)

__version__ = "0.1.0"
# The fewest bars a layer is decided for at once (house's closed 16ths): a phrase, or 4.
SECTION_BARS = 4


class DrumKit:
    """A style-aware, rule-based drum generator (API version 1).

    Reads the meter at each bar, the busyness of the other tracks (notes per beat) and the
    bass rhythm; writes kick, snare and hats with a fill in the last bar of each phrase and
    a crash after it, in the song's swing (a shuffle swings by itself), keeping the hats'
    subdivision when only a band of a groove is repainted. Writes only inside the mask and
    only into drum tracks, on the notes each track's own kit plays
    (:class:`engine.score.drums.DrumKit`: a clap backbeat gets claps, a kit that keeps
    time on maracas gets maracas for its hats).

    Options: ``seed`` (same seed, same groove), ``temperature`` (0 = plain, higher = more
    optional hits and looser velocities), ``density`` (0..1, default: follow the band),
    ``pitch_range``, and in ``extra``: ``style`` (one of :data:`STYLES`, default
    ``"auto"``: by the meter and tempo, and trap or house on a TR-808 or Electronic kit
    at their tempos) and ``phrase_bars`` (default 4).
    """

    info = ModelInfo(
        name="drumkit",
        version=__version__,
        api_version=1,  # the plugin API it was written for (as its manifest says)
        description="Rule-based grooves (rock, half-time, funk, shuffle, house, trap) that "
        "follow the meter and the busyness of the band, with fills at phrase ends.",
        tasks=("repaint", "regenerate", "continue", "compose"),
        precisions=("fp32",),
        # Of the standard sampling settings only temperature (optional hits, velocity
        # feel): no steps, nucleus or weights to a rule-based model.
        sampling=("temperature",),
        instruments=("drums",),
        options=(
            ModelOption("style", "auto", "Style", choices=STYLES,
                        help="auto: from the meter and tempo (trap on a TR-808 kit, house "
                        "on the Electronic kit, at their tempos)"),
            ModelOption("phrase_bars", 4, "Phrase (bars)", minimum=1, maximum=16,
                        help="bars per phrase: a fill in the last bar of each"),
        ),
        licence="MIT",
        author="Partita developers",
    )

    def generate(
        self,
        song: Song,
        mask: Mask,
        options: GenerateOptions,
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> Mapping[int, tuple[Note, ...]]:
        drum_tracks = [t for t in song.tracks if t.is_drum and t.id in mask.track_ids]
        if not drum_tracks or mask.is_empty:
            return {}
        style = str(options.extra.get("style", "auto"))
        if style not in STYLES:  # the request's problem, not the model's (not a failure)
            raise CannotGenerate(f"unknown drum style {style!r} (styles: {', '.join(STYLES)})")
        try:
            phrase = max(1, int(options.extra.get("phrase_bars", 4)))
        except (TypeError, ValueError):
            raise CannotGenerate(f"phrase_bars must be a whole number of bars (got "
                                 f"{options.extra.get('phrase_bars')!r})") from None
        rng = random.Random(options.seed)
        tmap = TimeMap.of(song)
        step = max(1, song.ppq // 4)
        start, end = mask.span
        first, last = tmap.tick_to_bar(start), tmap.tick_to_bar(max(start, end - 1))
        bars = range(first, last + 1)
        written: dict[int, list[Note]] = {t.id: [] for t in drum_tracks}
        kits = {t.id: TrackKit.of_track(t, start, end) for t in drum_tracks}
        # The GM2 kit the drum tracks share (a TR-808, the Electronic kit): "auto" plays
        # the style it is made for (groove.resolve_style); tracks on different kits, none.
        programs = {t.program for t in drum_tracks}
        kit = programs.pop() if len(programs) == 1 else 0
        # The song's feel: its swing, and when only a band of a groove is repainted
        # (the hats alone, --pitch 42-46), the subdivision its hats keep.
        swing = song_swing(song, mask, [t.id for t in drum_tracks])
        hats = _kept_hat_every(song, mask, drum_tracks, kits, tmap, swing, options)
        struck: set[tuple[int, int, int]] = set()  # (track, tick, note): two hits a kit
        # plays on one note (a stock 38 and 37 on a clap kit) strike it once

        # A pickup is the end of a bar of the meter after it: its hits are that bar's
        # last ones, and phrases count from the first full bar (bar 1; a pickup is bar 0).
        def band_of(bar: int) -> tuple[float, frozenset[int]]:
            sig, shift = tmap.metric_position(tmap.bar_to_tick(bar))
            density, bass_ticks = _band(song, tmap.bar_to_tick(bar) - shift,
                                        tmap.bar_to_tick(bar + 1), sig.numerator)
            if options.density is not None:
                density = min(1.0, max(0.0, options.density))
            return density, bass_ticks

        bands = {bar: band_of(bar) for bar in bars}
        # House's closed 16ths are decided a section at a time (a phrase, 4 bars at the
        # least), from the section's mean density: a bar's own had them come and go.
        section_bars = max(SECTION_BARS, phrase)

        def section_of(bar: int) -> int:
            return max(0, tmap.bar_number(bar) - 1) // section_bars  # a pickup: the first

        sections: dict[int, list[float]] = {}
        for bar in bars:
            sections.setdefault(section_of(bar), []).append(bands[bar][0])
        sixteenths: dict[int, bool] = {}
        for i, bar in enumerate(bars):
            cancel.raise_if_cancelled()
            bar_end = tmap.bar_to_tick(bar + 1)
            sig, shift = tmap.metric_position(start := tmap.bar_to_tick(bar))
            bar_start = start - shift
            phrase_bar = tmap.bar_number(bar) - 1
            density, bass_ticks = bands[bar]
            spec = BarSpec(
                numerator=sig.numerator,
                denominator=sig.denominator,
                groups=sig.groups,
                style=resolve_style(style, tmap.tempo_at(max(0, bar_start)), sig.numerator,
                                    sig.denominator, sig.groups, kit),
                density=density,
                fill=phrase_bar >= 0 and (phrase_bar + 1) % phrase == 0,
                crash=phrase_bar > 0 and phrase_bar % phrase == 0,
                temperature=options.temperature,
                swing=swing,
                hat_every=hats,
            )
            # The bass's onsets on the bar's (swung) 16ths: the kick locks to them.
            spec = replace(spec, bass_steps=frozenset(
                nearest_step(spec, t, song.ppq) for t in bass_ticks))
            if spec.style == "house":
                section = section_of(bar)
                if section not in sixteenths:
                    mean = sum(sections[section]) / len(sections[section])
                    sixteenths[section] = house_sixteenths(
                        mean, mean * max(0.0, options.temperature), rng)
                spec = replace(spec, sixteenths=sixteenths[section])
            hits = bar_hits(spec, rng)
            for track in drum_tracks:
                for s, gm_note, velocity in hits:
                    at = bar_start + step_tick(spec, s, song.ppq)
                    if not bar_start + shift <= at < bar_end:
                        continue  # before a pickup's first beat, or past the bar
                    for pitch in kits[track.id].remap(gm_note):
                        note = Note(pitch, at, max(1, step // 2), velocity)
                        if (track.id, at, pitch) not in struck and _allowed(
                                mask, track.id, note, options):
                            struck.add((track.id, at, pitch))
                            written[track.id].append(note)
            progress(Progress(i + 1, len(bars), f"bar {tmap.bar_number(bar)}",
                              partial={k: tuple(v) for k, v in written.items()}))
        return {k: tuple(v) for k, v in written.items()}


def _kept_hat_every(song: Song, mask: Mask, tracks: list[Track], kits: dict[int, TrackKit],
                    tmap: TimeMap, swing: float | None, options: GenerateOptions) -> int | None:
    """The hat spacing of the groove around a band repaint (a mask or range short of
    every pitch): the new hats keep it, whatever the style would pick. None otherwise."""
    band = options.pitch_range is not None or any(
        not r.full_pitch_range for r in mask.regions if r.track_ids & {t.id for t in tracks})
    if not band:
        return None
    lo, hi = tmap.bars_around(*mask.span, WINDOW_BARS)
    spacings = {hat_every([n for n in t.notes if lo <= n.start < hi], kits[t.id], tmap,
                          song.ppq, swing) for t in tracks} - {None}
    return min(spacings) if spacings else None


def _allowed(mask: Mask, track_id: int, note: Note, options: GenerateOptions) -> bool:
    if options.pitch_range is not None:
        lo, hi = options.pitch_range
        if not lo <= note.pitch <= hi:
            return False
    return mask.contains_note(track_id, note)


def _band(song: Song, start: int, end: int, beats: int) -> tuple[float, frozenset[int]]:
    """How busy the pitched tracks are in ``[start, end)`` (0..1) and the bass's onsets
    (ticks from ``start``)."""
    onsets = 0
    bass: set[int] = set()
    for t in song.tracks:
        if t.is_drum or t.mute:
            continue
        is_bass = role_of(t.program, t.is_drum) == "bass"
        for n in t.notes:
            if start <= n.start < end:
                onsets += 1
                if is_bass:
                    bass.add(n.start - start)
    per_beat = onsets / max(1, beats)
    # Quiet band (or none) -> a relaxed 8th-note groove; busy band -> 16ths.
    density = min(0.9, 0.35 + 0.12 * per_beat) if onsets else 0.45
    return density, frozenset(bass)
