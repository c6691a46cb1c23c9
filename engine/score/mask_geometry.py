"""Mask algebra for painting: add and erase rectangles, kept in one canonical form.

Pure data over :class:`engine.score.Mask` (the studio's mask tool, its quick masks and
the request plans use it). A painted mask is stored as
disjoint per-track rectangles (ticks × pitches), merged where they touch, then grouped
by rectangle into regions — so the same painted area always gives an equal (and equally
hashed) ``Mask``, whatever order it was painted in. Takes are filed by that mask.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

from engine.score import Mask, Region, Song, Track

from .spelling import pitch_name

Rect = tuple[int, int, int, int]  # start, end, pitch_lo, pitch_hi (inclusive)


def _rects(mask: Mask) -> dict[int, list[Rect]]:
    out: dict[int, list[Rect]] = defaultdict(list)
    for r in mask.regions:
        if r.is_empty:
            continue
        for tid in r.track_ids:
            out[tid].append((r.start, r.end, r.pitch_lo, r.pitch_hi))
    return out


def _subtract(a: Rect, b: Rect) -> list[Rect]:
    """``a`` minus ``b``: up to four rectangles."""
    s0, e0, l0, h0 = a
    s1, e1, l1, h1 = b
    if e1 <= s0 or e0 <= s1 or h1 < l0 or h0 < l1:
        return [a]
    out: list[Rect] = []
    if s0 < s1:
        out.append((s0, s1, l0, h0))
    if e1 < e0:
        out.append((e1, e0, l0, h0))
    s, e = max(s0, s1), min(e0, e1)
    if l0 < l1:
        out.append((s, e, l0, l1 - 1))
    if h1 < h0:
        out.append((s, e, h1 + 1, h0))
    return out


def _merge(rects: list[Rect]) -> list[Rect]:
    """Join rectangles with the same pitch band that touch in time, and the same span that
    touch in pitch (repeat until nothing changes)."""
    rects = sorted(set(rects))
    changed = True
    while changed:
        changed = False
        rects.sort(key=lambda r: (r[2], r[3], r[0]))
        out: list[Rect] = []
        for r in rects:
            if out and out[-1][2:] == r[2:] and out[-1][1] >= r[0]:
                p = out[-1]
                out[-1] = (p[0], max(p[1], r[1]), p[2], p[3])
                changed = True
            else:
                out.append(r)
        out.sort(key=lambda r: (r[0], r[1], r[2]))
        rects = []
        for r in out:
            if rects and rects[-1][:2] == r[:2] and rects[-1][3] + 1 >= r[2]:
                p = rects[-1]
                rects[-1] = (p[0], p[1], p[2], max(p[3], r[3]))
                changed = True
            else:
                rects.append(r)
    return sorted(rects)


def _build(rects: dict[int, list[Rect]]) -> Mask:
    by_rect: dict[Rect, set[int]] = defaultdict(set)
    for tid, rs in rects.items():
        for r in _merge(rs):
            by_rect[r].add(tid)
    regions = [Region(frozenset(t), s, e, lo, hi) for (s, e, lo, hi), t in by_rect.items()]
    regions.sort(key=lambda r: (r.start, r.end, r.pitch_lo, r.pitch_hi, sorted(r.track_ids)))
    return Mask.of(*regions)


def normalise(mask: Mask) -> Mask:
    """The canonical form of ``mask`` (same area, same value)."""
    return _build(_rects(mask))


def paint(mask: Mask, region: Region) -> Mask:
    """``mask`` with ``region`` added."""
    rects = _rects(erase(mask, region))  # keep rectangles disjoint
    if not region.is_empty:
        for tid in region.track_ids:
            rects[tid].append((region.start, region.end, region.pitch_lo, region.pitch_hi))
    return _build(rects)


def erase(mask: Mask, region: Region) -> Mask:
    """``mask`` with ``region`` taken out."""
    rects = _rects(mask)
    if region.is_empty:
        return _build(rects)
    cut: Rect = (region.start, region.end, region.pitch_lo, region.pitch_hi)
    for tid in region.track_ids:
        if tid in rects:
            rects[tid] = [piece for r in rects[tid] for piece in _subtract(r, cut)]
    return _build(rects)


def keep_tracks(mask: Mask, song: Song) -> Mask:
    """``mask`` without tracks that are no longer in ``song``."""
    gone = mask.track_ids - {t.id for t in song.tracks}
    return mask.subtract_tracks(gone) if gone else mask


def track_spans(mask: Mask, track_id: int) -> list[Rect]:
    """The rectangles of one track (for drawing)."""
    return _merge(_rects(mask).get(track_id, []))


class OutOfReach(NamedTuple):
    """A region whose pitch band none of its tracks can reach, and each track's
    ``(name, lo, hi)`` reach, with both as a message names them."""

    region: Region
    spans: list[tuple[str, int, int]]

    @property
    def band(self) -> str:
        """``"C6–C7"``."""
        return f"{pitch_name(self.region.pitch_lo)}–{pitch_name(self.region.pitch_hi)}"

    @property
    def reaches(self) -> str:
        """``"Bass G1–F3, Lead E4–G5"``."""
        return ", ".join(f"{name} {pitch_name(lo)}–{pitch_name(hi)}"
                         for name, lo, hi in self.spans)


def band_out_of_reach(
    mask: Mask, song: Song, reach: Callable[[Track], tuple[int, int]],
) -> OutOfReach | None:
    """The first region whose pitch band none of its tracks can reach; None when every
    band is in some track's reach. ``reach`` says which pitches a track can be written in
    (the tasks: its part's range; a model: the register it keeps the track to)."""
    for region in mask.regions:
        tracks = [t for t in song.tracks if t.id in region.track_ids]
        if region.full_pitch_range or not tracks:
            continue
        spans = [(t.name, *reach(t)) for t in tracks]
        if all(hi < region.pitch_lo or lo > region.pitch_hi for _, lo, hi in spans):
            return OutOfReach(region, spans)
    return None


def describe(mask: Mask, song: Song) -> str:
    """``"Bass, Piano · bars 5–8"`` for the status bar and panel; a mask whose tracks cover
    different bars names each part (``"Piano · bars 3–4; Lead · bars 10–11"``), a pitch
    band its notes (``"Lead · bars 5–8 · pitch band C3–B4"``: ``partita takes`` lists
    takes so)."""
    if mask.is_empty:
        return "No mask"
    from engine.score import TimeMap

    tm = TimeMap.of(song)

    def beat(tick: int) -> str:
        p = tm.tick_to_position(tick)
        return f"{tm.bar_number(p.bar)}.{p.beat + 1}"

    def bars(spans: list[tuple[int, int]]) -> tuple[str, ...]:
        """Bar ranges, those sharing a bar as one: a beat painted in bar 9 and bars 9–10
        read "bars 9–10", not "bar 9, bars 9–10". A range that starts or ends inside a bar
        is told in beats as the ruler counts them, as ``repaint --bars`` takes them
        ("bars 1.3–7.2": from beat 3 of bar 1 to beat 2 of bar 7, both included)."""
        ranges: list[list[int]] = []  # first bar, last bar (0-based), start tick, end tick
        for start, end in spans:
            first, last = tm.tick_to_bar(start), tm.tick_to_bar(max(start, end - 1))
            if ranges and first <= ranges[-1][1]:
                ranges[-1][1] = max(ranges[-1][1], last)
                ranges[-1][3] = max(ranges[-1][3], end)
            else:
                ranges.append([first, last, start, end])
        out = []
        for a, b, start, end in ranges:
            whole = start == tm.bar_to_tick(a) and end == tm.bar_to_tick(b + 1)
            if whole:
                a, b = tm.bar_number(a), tm.bar_number(b)
                out.append(f"bar {a}" if a == b else f"bars {a}–{b}")
            else:
                first, last = beat(start), beat(max(start, end - 1))
                out.append(f"beat {first}" if first == last else f"bars {first}–{last}")
        return tuple(out)

    order = {t.id: i for i, t in enumerate(song.tracks)}
    names = {t.id: t.name or "Track" for t in song.tracks}
    # Tracks with the same bars and bands are one part; parts in the order of their first
    # track. Each part says its own band: one said once at the end read as the last
    # part's ("Piano · bars 2–3; Bass · bars 1–2 · pitch band C4–C5" of Piano's band),
    # and within a track only the bars painted with it (a band over bars 3–4 and a
    # full-height column at bar 7 read "bars 3–4, beat 7.3 · pitch band …", as if both).
    parts: dict[tuple[tuple[str, ...], str], list[int]] = {}
    for tid in sorted(mask.track_ids, key=lambda t: order.get(t, len(order))):
        for spans, pitch in _track_parts([r for r in mask.regions if tid in r.track_ids],
                                         bars):
            parts.setdefault((spans, pitch), []).append(tid)
    text = [f"{_track_names(ids, names)} · {', '.join(spans)}{pitch}"
            for (spans, pitch), ids in parts.items()]
    more = f"; +{len(text) - 2} more" if len(text) > 2 else ""
    return "; ".join(text[:2]) + more


def _track_parts(regions: list[Region], bars) -> list[tuple[tuple[str, ...], str]]:
    """One track's parts as (its bars as ``bars`` says them, its bands' text), earliest
    first: the regions of each pitch band (or of every pitch) apart; bands over the same
    bars one part ("bar 1 · pitch bands C3–B4, C5–C6")."""
    by_band: dict[tuple[int, int] | None, list[Region]] = {}
    for r in sorted(regions, key=lambda r: (r.start, r.end)):
        band = None if r.full_pitch_range else (r.pitch_lo, r.pitch_hi)
        by_band.setdefault(band, []).append(r)
    same_bars: dict[tuple[str, ...], list[Region]] = {}
    for group in sorted(by_band.values(), key=lambda g: g[0].start):
        same_bars.setdefault(bars(_merged_spans(group)), []).extend(group)
    return [(spans, _bands_text(group)) for spans, group in same_bars.items()]


def _bands_text(regions: list[Region]) -> str:
    """``" · pitch band C3–B4"`` (``"pitch bands C3–B4, C5–C6"``), the bands painted in
    ``regions``, each once; "" when every region takes every pitch."""
    bands = dict.fromkeys((r.pitch_lo, r.pitch_hi) for r in regions
                          if not r.full_pitch_range)
    if not bands:
        return ""
    said = [f"{pitch_name(lo)}–{pitch_name(hi)}" for lo, hi in bands]
    return f" · pitch band{'s' if len(said) > 1 else ''} {', '.join(said)}"


def _merged_spans(regions) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted((r.start, r.end) for r in regions):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _track_names(ids: list[int], names: dict[int, str]) -> str:
    """Up to three names, then "+N"; a track no longer in the song is "a deleted track"
    (e.g. a take whose track was deleted after it was asked for)."""
    known = [names[t] for t in ids if t in names]
    gone = len(ids) - len(known)
    if gone:
        known.append("a deleted track" if gone == 1 else f"{gone} deleted tracks")
    return ", ".join(known[:3]) + (f" +{len(known) - 3}" if len(known) > 3 else "")
