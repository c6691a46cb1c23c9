"""Drum classes, and the notes a track's own kit strikes for each (pure data).

Models see a kit as a few *classes* (kick, snare, closed hat …: :data:`DRUM_CLASSES`),
each covering several General MIDI keys — a Hand Clap (39) is a snare, a Kick 2 (35) a
kick. Going back from a class to a note is the kit's business: a DAW drum rack plays
exact notes, so a loop whose backbeat is a clap has no Acoustic Snare (38) pad, and a
clap written back as 38 is a sound the producer never chose. :class:`DrumKit` is the one
place both directions meet: ``drum_class_of_note`` reads a note's class, and
:meth:`DrumKit.notes` gives the notes this track strikes for a class — what it plays most
for that class, layers included (openmsx-6's kicks are Kick 2 and Kick together), else the
stock note when the track has none of that class. A kit without a hi-hat keeps time on
a shaker (the QA's loop: Maracas in eighths): that shaker plays its closed hat, so a
model hears the groove it knows and writes its hats back as maracas.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .song import Note, Track

# GM drum classes: (name, stock GM note, GM notes of the class).
DRUM_CLASSES: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("kick", 36, (35, 36)),
    ("snare", 38, (37, 38, 39, 40)),
    ("closed hat", 42, (42, 44)),
    ("open hat", 46, (46,)),
    ("low tom", 45, (41, 43, 45)),
    ("high tom", 48, (47, 48, 50)),
    ("crash", 49, (49, 52, 55, 57)),
    ("ride", 51, (51, 53, 59)),
    ("percussion", 56, tuple(range(54, 82))),  # everything else: bells, congas, shakers
)
N_DRUM_CLASSES = len(DRUM_CLASSES)
_NOTE_TO_CLASS = {n: k for k, (_, _, notes) in enumerate(DRUM_CLASSES) for n in notes}
CLOSED_HAT = _NOTE_TO_CLASS[42]
# Shakers that keep time where a kit has no hi-hat: Tambourine, Cabasa, Maracas, and
# Shaker (82, past General MIDI 1's map).
SHAKERS = (54, 69, 70, 82)


def drum_class_of_note(gm_note: int) -> int:
    """GM drum note → drum class (unknown notes count as 'percussion')."""
    return _NOTE_TO_CLASS.get(gm_note, N_DRUM_CLASSES - 1)


def stock_note(klass: int) -> int:
    """The class's General MIDI note (what a kit that never played the class gets)."""
    return DRUM_CLASSES[klass][1]


@dataclass(frozen=True, slots=True)
class DrumKit:
    """The notes struck for one hit of each drum class (the first is the hit's main note).

    ``own[k]`` says whether class ``k``'s notes are the track's (else the stock note);
    ``stand_in`` is a shaker the kit plays its closed hat on (it has no hi-hat), else None.
    """

    hits: tuple[tuple[int, ...], ...]
    own: tuple[bool, ...]
    stand_in: int | None = None

    @classmethod
    def stock(cls) -> DrumKit:
        """General MIDI's kit: each class's stock note."""
        return cls(tuple((stock_note(k),) for k in range(N_DRUM_CLASSES)),
                   (False,) * N_DRUM_CLASSES)

    @classmethod
    def of_notes(cls, notes: Iterable[Note], fallback: Iterable[Note] = ()) -> DrumKit:
        """The kit ``notes`` play: per class, the set of its notes struck together at one
        tick that occurs most often — one note (the clap of a clap backbeat), or a layer
        (Kick 2 + Kick). Two notes of one class played apart (a 38 and a 40 snare) give
        the one played more; on a tie the stock note, else the lower. A class ``notes``
        lacks is read from ``fallback`` (the whole track, around a window), then stock.
        A kit with no closed or pedal hi-hat but a shaker (:data:`SHAKERS`) plays its
        closed hat on its most used shaker."""
        notes, fallback = list(notes), list(fallback)
        stand_in = _hat_stand_in(notes) or _hat_stand_in(fallback)
        if stand_in is not None and (_plays_hats(notes) or _plays_hats(fallback)):
            stand_in = None
        counts = _layer_counts(notes, stand_in)
        spare = _layer_counts(fallback, stand_in)
        hits, own = [], []
        for k in range(N_DRUM_CLASSES):
            found = counts[k] or spare[k]
            if not found:
                hits.append((stock_note(k),))
                own.append(False)
                continue
            stock = stock_note(k)
            layer = max(found, key=lambda s: (found[s], stock in s, -len(s), -min(s)))
            # Main note first: the stock note where the layer has it, else the lowest.
            hits.append(tuple(sorted(layer, key=lambda n: (n != stock, n))))
            own.append(True)
        return cls(tuple(hits), tuple(own), stand_in)

    @classmethod
    def of_track(cls, track: Track, start: int | None = None,
                 end: int | None = None) -> DrumKit:
        """The kit ``track`` plays in ``[start, end)`` (the window a model writes in and
        hears), each class it lacks there read from the whole track. The same kit serves
        the notes kept and the notes written, so a window encodes and decodes alike."""
        if start is None and end is None:
            return cls.of_notes(track.notes)
        lo = start if start is not None else -1
        hi = end if end is not None else track.end + 1
        return cls.of_notes((n for n in track.notes if lo <= n.start < hi), track.notes)

    def class_of(self, gm_note: int) -> int:
        """The class ``gm_note`` plays in this kit (its General MIDI class, except the
        shaker standing in for the hi-hat)."""
        return CLOSED_HAT if gm_note == self.stand_in else drum_class_of_note(gm_note)

    def notes(self, klass: int) -> tuple[int, ...]:
        """The notes one hit of ``klass`` strikes."""
        return self.hits[klass]

    def main_note(self, klass: int) -> int:
        return self.hits[klass][0]

    def remap(self, gm_note: int) -> tuple[int, ...]:
        """A note a model chose → the notes this kit strikes for its class: a stock 38
        becomes the track's clap; a note of a class the track never plays stays as it
        is, and so does one of the notes the track plays for its class."""
        klass = self.class_of(gm_note)
        if not self.own[klass] or gm_note in self.hits[klass]:
            return (gm_note,)
        return self.hits[klass]


def _hat_stand_in(notes: list[Note]) -> int | None:
    """The shaker ``notes`` strike most (the lower on a tie), or None."""
    used = Counter(n.pitch for n in notes if n.pitch in SHAKERS)
    return max(used, key=lambda p: (used[p], -p)) if used else None


def _plays_hats(notes: list[Note]) -> bool:
    return any(drum_class_of_note(n.pitch) == CLOSED_HAT for n in notes)


def _layer_counts(notes: Iterable[Note], stand_in: int | None = None
                  ) -> list[Counter[frozenset[int]]]:
    """Per class, how often each set of its notes is struck together at one tick
    (``stand_in``: the shaker that plays the closed hat)."""
    by_tick: dict[tuple[int, int], set[int]] = {}
    for n in notes:
        klass = CLOSED_HAT if n.pitch == stand_in else drum_class_of_note(n.pitch)
        by_tick.setdefault((n.start, klass), set()).add(n.pitch)
    counts: list[Counter[frozenset[int]]] = [Counter() for _ in range(N_DRUM_CLASSES)]
    for (_, klass), pitches in by_tick.items():
        counts[klass][frozenset(pitches)] += 1
    return counts


__all__ = ["CLOSED_HAT", "DRUM_CLASSES", "N_DRUM_CLASSES", "SHAKERS", "DrumKit",
           "drum_class_of_note", "stock_note"]
