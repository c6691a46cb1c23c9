"""Deterministic voice assignment: which lane of a track each note goes to.

Pitched tracks (the rule the codec documents):

1. Onsets are visited in time order. At each onset step, the notes starting there are
   sorted high → low; the lanes that are free (their previous note has ended) are sorted
   by the pitch of their last note, high → low, never-used lanes last in index order.
2. New notes are matched to free lanes without crossing (the highest new note takes the
   highest matched lane), minimising the total pitch jump from each lane's last note; a
   never-used lane costs :data:`FRESH_LANE_COST` semitones. Voices stay continuous: a lone
   low note after a chord goes back to the low lane, not to lane 0.
3. When more notes start than lanes are free, the outer voices win: the highest notes and
   the lowest note are kept, the inner ones are left out (reported as beyond the budget).

Drum tracks: at each step the classes struck (one note per class) are sorted by class
index and go to lanes 0, 1, 2, …; classes beyond the lane count are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

FRESH_LANE_COST = 7  # semitones: a fifth, so a close existing voice beats a fresh lane


def match_voices(pitches: Sequence[int], lanes: Sequence[tuple[int, int | None]]) -> list[int]:
    """Lane index for each new pitch (same order as ``pitches``, sorted high → low).

    ``lanes``: the free lanes as ``(lane_index, last_pitch or None)``. Returns one lane per
    pitch; ``len(pitches)`` must not exceed ``len(lanes)``.
    """
    k = len(pitches)
    if k == 0:
        return []
    if k > len(lanes):
        raise ValueError("more notes than free lanes")
    used = sorted((p, i) for i, p in lanes if p is not None)
    order = [i for _, i in sorted(used, key=lambda x: (-x[0], x[1]))]
    order += sorted(i for i, p in lanes if p is None)
    last = dict(lanes)
    m = len(order)

    def cost(ni: int, lj: int) -> int:
        p = last[order[lj]]
        return FRESH_LANE_COST if p is None else abs(pitches[ni] - p)

    inf = float("inf")
    # f[i][j]: best cost placing the first i notes on the first j ordered lanes.
    f = [[0.0] * (m + 1)] + [[inf] * (m + 1) for _ in range(k)]
    for i in range(1, k + 1):
        for j in range(i, m + 1):
            f[i][j] = min(f[i][j - 1], f[i - 1][j - 1] + cost(i - 1, j - 1))
    out = [0] * k
    i, j = k, m
    while i > 0:
        if j > i and f[i][j] == f[i][j - 1]:
            j -= 1  # ties leave later (lower / fresher) lanes unused
        else:
            out[i - 1] = order[j - 1]
            i, j = i - 1, j - 1
    return out


def outer_voices(pitches: Sequence[int], room: int) -> list[int]:
    """Indices of the notes to keep when ``room`` lanes are free (``pitches`` high → low)."""
    n = len(pitches)
    if n <= room:
        return list(range(n))
    if room <= 0:
        return []
    if room == 1:
        return [0]
    return [*range(room - 1), n - 1]
