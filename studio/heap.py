"""Keeping Python's garbage collector from freezing the window.

A full (generation-2) collection walks every object the interpreter tracks while holding
the interpreter lock. With a long song loaded (tens of thousands of notes) and torch
imported that took 100–200 ms on a 2-core machine, and the model's worker thread, which
allocates freely, set off several during one long generation: each one a stall of the
window. So what is alive once a song or the models have loaded is moved out of the
collector's sight (:func:`gc.freeze`). Those objects are still freed by reference
counting when the window lets go of them (songs, tracks and notes hold no reference
cycles); a cycle among them that became garbage waits for the next load, which looks at
everything again.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect what is garbage now (what was frozen before too), then stop scanning
    everything still alive."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
