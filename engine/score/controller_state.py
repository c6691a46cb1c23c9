"""What a track's controllers and pitch bend are at a tick, and the edits that keep them
right when music is moved or copied: a sustain pedal pressed before copied bars, or a
bend in force, belongs to the copy too; a pedal left down must not ring on through bars
that were inserted empty, nor through the music after a copy.

A controller's *state* is the value its last event set (``control_change`` and
``pitchwheel`` only: aftertouch is pressure, not a setting that holds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .song import ControlEvent

Key = tuple[str, int]  # (kind, number): ("control_change", 64) is the sustain pedal

# What a controller is before any event sets it, where MIDI says (Reset All Controllers):
# modulation and the switch pedals (sustain, portamento, sostenuto, soft, legato, hold 2)
# off, expression full. Others (volume, pan: the track's own settings) are not known here.
RESET_VALUES: dict[Key, int] = {("pitchwheel", 0): 0, ("control_change", 1): 0,
                                ("control_change", 11): 127,
                                **{("control_change", n): 0 for n in range(64, 70)}}

# The ones that keep a note sounding or out of tune through bars with no notes of their
# own: the sustain pedal, sostenuto and hold 2, and the pitch bend. (Expression, the
# modulation wheel and the soft pedal are the player's level and colour: they hold on.)
SOUNDING: tuple[Key, ...] = (("control_change", 64), ("control_change", 66),
                             ("control_change", 69), ("pitchwheel", 0))

_STATEFUL = ("control_change", "pitchwheel")


def key_of(c: ControlEvent) -> Key:
    return c.kind, c.number


def state_before(controls: Iterable[ControlEvent], tick: int) -> dict[Key, int]:
    """Each controller's and the bend's value in force just before ``tick`` (set by an
    event earlier than it; one that nothing set is absent)."""
    state: dict[Key, int] = {}
    for c in sorted(controls, key=lambda c: c.tick):
        if c.tick >= tick:
            break
        if c.kind in _STATEFUL:
            state[key_of(c)] = c.value
    return state


def restated(at: int, want: dict[Key, int], have: dict[Key, int],
             keys: Iterable[Key] | None = None, skip: Iterable[Key] = ()) -> list[ControlEvent]:
    """The events at ``at`` that make each controller ``want``'s value where ``have`` says
    it is otherwise (one that neither sets is at its reset value; one whose value either
    does not know is left alone: a volume nothing set before is the track's own, which a
    restated value would override for good). ``keys``: only these; ``skip``: none of
    these (set at ``at`` anyway)."""
    skipped = set(skip)
    out = []
    for key in dict.fromkeys(keys if keys is not None else (*want, *have)):
        value = want.get(key, RESET_VALUES.get(key))
        was = have.get(key, RESET_VALUES.get(key))
        if key in skipped or value is None or was is None or value == was:
            continue
        out.append(ControlEvent(at, key[0], key[1], value))
    return out


def span_replaced(controls: Sequence[ControlEvent], lo: int, hi: int,
                  copied: Sequence[ControlEvent],
                  start_state: dict[Key, int]) -> tuple[ControlEvent, ...]:
    """A track's ``controls`` with the span ``[lo, hi)`` replaced by ``copied`` (events
    inside it), music that began with its controllers as ``start_state`` says: at ``lo``
    that state is restated where the track had another (the pedal down, a bend in force),
    and at ``hi`` what the track had in force there before is restated where the copy
    leaves it otherwise (the pedal is not left down on the music after the copy)."""
    ordered = sorted(controls, key=lambda c: c.tick)
    before = [c for c in ordered if c.tick < lo]
    after = [c for c in ordered if c.tick >= hi]
    inside = sorted(copied, key=lambda c: c.tick)
    set_at_lo = {key_of(c) for c in inside if c.tick == lo}
    opening = restated(lo, start_state, state_before(before, lo), skip=set_at_lo)
    body = [*before, *opening, *inside]
    set_at_hi = {key_of(c) for c in after if c.tick == hi}
    closing = restated(hi, state_before(ordered, hi), state_before(body, hi), skip=set_at_hi)
    return (*body, *closing, *after)


def keys_replaced(controls: Sequence[ControlEvent], keys: Iterable[Key], lo: int, hi: int,
                  copied: Sequence[ControlEvent],
                  start_state: dict[Key, int]) -> tuple[ControlEvent, ...]:
    """:func:`span_replaced` over the events of controllers ``keys`` only: every other
    controller of the track is kept as it was (a pedal recorded over a passage leaves its
    volume automation and bends alone; a bend drawn in the lane leaves the pedal)."""
    chosen = set(keys)
    mine = [c for c in controls if key_of(c) in chosen]
    others = [c for c in controls if key_of(c) not in chosen]
    replaced = span_replaced(mine, lo, hi, copied,
                             {k: v for k, v in start_state.items() if k in chosen})
    return tuple(sorted((*others, *replaced), key=lambda c: c.tick))


def released_in_gap(controls: Sequence[ControlEvent], at: int, span: int,
                    follows: bool) -> tuple[ControlEvent, ...]:
    """A track's ``controls`` (already moved: what was at or after ``at`` is ``span``
    later) with ``span`` empty bars inserted at ``at``: the pedals that hold notes
    released and the bend reset there (:data:`SOUNDING`), and set again as they were
    when the music ``follows`` after the gap."""
    ordered = sorted(controls, key=lambda c: c.tick)
    before = [c for c in ordered if c.tick < at]
    after = [c for c in ordered if c.tick >= at]
    held = state_before(before, at)
    reset = restated(at, {}, held, SOUNDING)
    again = []
    if follows:
        set_after = {key_of(c) for c in after if c.tick == at + span}
        again = restated(at + span, held, {}, [key_of(c) for c in reset], set_after)
    return (*before, *reset, *again, *after)


__all__ = ["RESET_VALUES", "SOUNDING", "Key", "key_of", "keys_replaced", "released_in_gap",
           "restated", "span_replaced", "state_before"]
