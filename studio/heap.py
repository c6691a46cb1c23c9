"""Keeping Python's garbage collector from freezing the window.

A full (generation-2) collection walks every object the interpreter tracks while holding
the interpreter lock. With a long song loaded (tens of thousands of notes) and torch
imported that took 100–200 ms on a 2-core machine, and the model's worker thread, which
allocates freely, set off several during one long generation: each one a stall of the
window. So what is alive once a song or the models have loaded is moved out of the
collector's sight (:func:`gc.freeze`). Those objects are still freed by reference
counting when the window lets go of them (songs, tracks and notes hold no reference
cycles).

A settle looks at everything again only when what it keeps has grown by a quarter since
the last time it did (the rule CPython itself follows for its full collections), and
otherwise at what came since the last settle alone: opening a song looked at all of
torch each time, 130 of the 320 ms the GUI thread spent taking a 6,469-note score (an
orchestral QA saw the window stall 0.8 s and 1.3 s opening it). A cycle among the kept
objects that became garbage waits for the next full look, so such garbage stays under a
quarter of what is kept.
"""

from __future__ import annotations

import gc

GROWTH = 0.25  # a full collection once the kept objects grew by this share since the last
_kept_after_full = 0  # objects frozen by the last full collection


def settle() -> None:
    """Collect what is garbage now (what was frozen before too, when enough has come
    since the last look at everything), then stop scanning everything still alive."""
    global _kept_after_full
    gc.collect()  # what came since the last settle: what was frozen is not walked
    gc.freeze()
    if gc.get_freeze_count() - _kept_after_full >= GROWTH * _kept_after_full:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _kept_after_full = gc.get_freeze_count()
