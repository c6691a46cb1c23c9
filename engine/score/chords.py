"""Which chord a texture sounds: triads and sevenths matched against pitch classes.

:func:`recognise_chord` takes how much each pitch class sounds (ticks, say, from
:func:`sounding_weights`) and scores every root × chord template (major, minor,
diminished triads; dominant, major, minor, half-diminished and diminished sevenths): the
weight of the sounding classes the chord holds, less the weight of those it does not, less
:data:`MISSING_COST` of an average class for each chord tone that is silent. Its root must
sound, and its third or fifth, so E–G–C is C (an inversion), A–C–E–G is Am7 (not C with
an added A), B♭–D is B♭ and C–G is C, but C–B is no chord. The chord
is *clear* when it explains most of what sounds and no chord on another root comes near;
else there is none (C–F–G is Csus4 or Fsus2; an augmented or diminished-seventh chord has
no one root).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .keys import TONICS
from .song import Note

# (suffix, intervals above the root); the seventh chords after the triads they contain,
# so a triad wins a tie against its seventh with the seventh silent.
TEMPLATES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("", (0, 4, 7)), ("m", (0, 3, 7)), ("dim", (0, 3, 6)),
    ("7", (0, 4, 7, 10)), ("maj7", (0, 4, 7, 11)), ("m7", (0, 3, 7, 10)),
    ("m7b5", (0, 3, 6, 10)), ("dim7", (0, 3, 6, 9)),
)
MISSING_COST = 0.5  # a silent chord tone costs this much of an average sounding class
MIN_SCORE = 0.5  # a clear chord's score (1: it holds all that sounds, and all of it sounds)
MARGIN = 0.15  # ... and a chord on any other root scores at least this much less
MIN_ROOT = 0.1  # the root's share of what sounds


@dataclass(frozen=True, slots=True)
class Chord:
    """A recognised chord: its root (pitch class) and quality suffix ("", "m", "7", …)."""

    root: int
    quality: str
    pitch_classes: frozenset[int]

    @property
    def name(self) -> str:
        """"C", "Am7", "Bbmaj7", "F#m7b5"."""
        return TONICS[self.root] + self.quality


def sounding_weights(notes: Iterable[Note], start: int, end: int) -> dict[int, float]:
    """Per pitch class, the ticks ``notes`` sound within ``[start, end)``."""
    out: dict[int, float] = {}
    for n in notes:
        overlap = min(n.end, end) - max(n.start, start)
        if overlap > 0:
            out[n.pitch % 12] = out.get(n.pitch % 12, 0.0) + overlap
    return out


def chord_scores(weights: Mapping[int, float]) -> list[tuple[float, Chord]]:
    """Every chord whose root (:data:`MIN_ROOT` of the weight at least) and third or
    fifth sound, with its score (module docstring), best first: a passing note is no
    root (a 16th's F over a bar of A minor is not Fmaj7)."""
    weights = _by_class(weights)
    total = sum(weights.values())
    if total <= 0:
        return []
    share = {pc: w / total for pc, w in weights.items()}
    average = 1.0 / len(share)
    scored = []
    for root in sorted(pc for pc, w in share.items() if w >= MIN_ROOT):
        for order, (quality, intervals) in enumerate(TEMPLATES):
            pcs = frozenset((root + i) % 12 for i in intervals)
            if not any((root + i) % 12 in share for i in intervals[1:3]):
                continue  # a root and its seventh alone are no chord (C–B is not Cmaj7)
            held = sum(w for pc, w in share.items() if pc in pcs)
            silent = sum(1 for pc in pcs if pc not in share)
            score = held - (1.0 - held) - MISSING_COST * average * silent
            scored.append((score, -order, Chord(root, quality, pcs)))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [(score, chord) for score, _, chord in scored]


def _by_class(weights: Mapping[int, float]) -> dict[int, float]:
    """The positive weights summed per pitch class (pitches may be given)."""
    out: dict[int, float] = {}
    for pc, w in weights.items():
        if w > 0:
            out[pc % 12] = out.get(pc % 12, 0.0) + w
    return out


def recognise_chord(weights: Mapping[int, float]) -> Chord | None:
    """The clear chord of pitch-class ``weights`` (pitch class → how much it sounds), or
    None: fewer than two classes, no chord (:func:`chord_scores`), a best chord under
    :data:`MIN_SCORE`, or another root's best within :data:`MARGIN`."""
    weights = _by_class(weights)
    if len(weights) < 2:
        return None
    scored = chord_scores(weights)
    if not scored:
        return None
    best_score, best = scored[0]
    if best_score < MIN_SCORE:
        return None
    rival = next((s for s, c in scored if c.root != best.root), None)
    if rival is not None and best_score - rival < MARGIN:
        return None
    return best


__all__ = ["TEMPLATES", "Chord", "chord_scores", "recognise_chord", "sounding_weights"]
