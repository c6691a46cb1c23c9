"""Take bookkeeping: the takes of one region (A, B, C…) and which one the user kept.

Pure data: nothing here edits a song. The studio applies the accepted take with
:func:`~engine.jobs.take.apply_take`, pushes the edit on its undo stack and calls
:meth:`TakeSet.accept`; undoing it calls :meth:`TakeSet.unaccept`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from engine.score import Mask, Song

from .take import Take


class TakeStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def take_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA", … (like spreadsheet columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


@dataclass
class TakeSet:
    """The takes made for one region, lettered in order of arrival.

    At most one take is accepted at a time; accepting another puts the previous one back
    to pending. ``selected`` is the take being auditioned: the first to arrive, until the
    user picks another (a take arriving later never takes over the audition).

    ``original`` is the user's other choice (the studio's key 0): the song as it is, no
    take applied, the takes waiting beside it: none is heard or drawn. ``selected`` is
    kept meanwhile, as the take the choice is about (it names the region and its tracks);
    choosing a take, accepting one or putting a rejected one back ends it.
    """

    mask: Mask
    takes: list[Take] = field(default_factory=list)
    status: dict[int, TakeStatus] = field(default_factory=dict)
    selected: int | None = None
    # The region's number, 1, 2, … in order of asking, kept with a project: `partita
    # takes` calls take B of region 2 "2B", and deciding region 1 must not make it "1B".
    number: int = 0
    # The Original is chosen (not saved: a reopened project shows the selected take).
    original: bool = False

    def add(self, take: Take) -> Take:
        """Add a take; returns it relabelled ``"<Task> · take B"`` (use the returned one)."""
        letter = take_letter(len(self.takes))
        take = take.relabel(f"{take.task.capitalize()} · take {letter}")
        self.takes.append(take)
        self.status[take.id] = TakeStatus.PENDING
        if self.selected is None:  # keep the take being auditioned
            self.selected = take.id
        return take

    def __len__(self) -> int:
        return len(self.takes)

    def __iter__(self) -> Iterator[Take]:
        return iter(self.takes)

    def get(self, take_id: int) -> Take:
        for t in self.takes:
            if t.id == take_id:
                return t
        raise KeyError(f"no take {take_id} in this region")

    def letter(self, take_id: int) -> str:
        return take_letter(self.takes.index(self.get(take_id)))

    def select(self, take_id: int) -> Take:
        """Audition a take (it replaces the Original, when that was chosen)."""
        take = self.get(take_id)
        self.selected = take_id
        self.original = False
        return take

    def show_original(self) -> None:
        """Choose the Original: no take applied; ``selected`` stays for the next switch."""
        self.original = True

    def accept(self, take_id: int) -> Take:
        """Mark a take accepted (the studio has applied it)."""
        take = self.get(take_id)
        for tid, st in self.status.items():
            if st is TakeStatus.ACCEPTED:
                self.status[tid] = TakeStatus.PENDING
        self.status[take_id] = TakeStatus.ACCEPTED
        self.selected = take_id
        self.original = False  # the take is the song now, not beside it
        return take

    def unaccept(self, take_id: int) -> None:
        """Back to pending (the accept was undone)."""
        self.get(take_id)
        self.status[take_id] = TakeStatus.PENDING

    def reject(self, take_id: int) -> None:
        """Discard a take from the choice (it stays listed as rejected)."""
        self.get(take_id)
        self.status[take_id] = TakeStatus.REJECTED
        if self.selected == take_id:  # on to the next take, as comping does; else back
            order = [t.id for t in self.takes]
            pending = self.pending()
            later = [t for t in pending if order.index(t.id) > order.index(take_id)]
            self.selected = (later[0] if later else pending[-1]).id if pending else None

    def unreject(self, take_id: int) -> None:
        """Back to pending and auditioned (the reject was undone)."""
        self.get(take_id)
        self.status[take_id] = TakeStatus.PENDING
        self.select(take_id)

    @property
    def accepted(self) -> Take | None:
        return next((t for t in self.takes if self.status[t.id] is TakeStatus.ACCEPTED), None)

    def pending(self) -> list[Take]:
        return [t for t in self.takes if self.status[t.id] is TakeStatus.PENDING]

    def conflicting(self, song: Song) -> list[Take]:
        """Pending takes the user has since edited over (show them flagged)."""
        return [t for t in self.pending() if t.conflicts_with(song)]


@dataclass
class TakeStore:
    """Take sets by region (the mask each take was asked for)."""

    sets: dict[Mask, TakeSet] = field(default_factory=dict)

    def add(self, take: Take) -> Take:
        """File a take under its mask; returns the relabelled take."""
        return self.for_mask(take.mask).add(take)

    def for_mask(self, mask: Mask) -> TakeSet:
        if mask not in self.sets:
            number = 1 + max((s.number for s in self.sets.values()), default=0)
            self.sets[mask] = TakeSet(mask, number=number)
        return self.sets[mask]

    def find(self, take_id: int) -> tuple[TakeSet, Take]:
        for s in self.sets.values():
            for t in s.takes:
                if t.id == take_id:
                    return s, t
        raise KeyError(f"no take {take_id}")

    def discard(self, mask: Mask) -> None:
        """Forget a region's takes (the user closed its take panel)."""
        self.sets.pop(mask, None)

    def __len__(self) -> int:
        return sum(len(s) for s in self.sets.values())

    def copy(self) -> TakeStore:
        """A snapshot another thread may read while this one changes (takes are
        immutable; the sets' lists and statuses are copied)."""
        return TakeStore({m: TakeSet(s.mask, list(s.takes), dict(s.status), s.selected,
                                     s.number, s.original)
                          for m, s in self.sets.items()})
