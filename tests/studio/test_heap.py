"""A full garbage collection holds every thread: the loaded song is kept out of its way."""

from __future__ import annotations

import gc
import weakref


def test_an_opened_song_is_out_of_the_garbage_collectors_sight(window, song_file):
    gc.unfreeze()
    assert window.open_path(song_file)
    assert gc.get_freeze_count() > 0
    note = window.document.song.tracks[0].notes[0]
    assert not any(o is note for o in gc.get_objects())  # no collection walks it again


def test_loaded_models_are_out_of_its_sight_too(window, qtbot):
    gc.unfreeze()
    window.catalog.ensure()
    qtbot.waitUntil(lambda: window.catalog.loaded, timeout=10000)
    assert gc.get_freeze_count() > 0


def test_garbage_frozen_at_one_load_is_collected_at_the_next(window, song_file):
    class Cycle:
        pass

    cycle = Cycle()
    cycle.me = cycle  # alive when the song loads, garbage once dropped
    assert window.open_path(song_file)
    gone = weakref.ref(cycle)
    del cycle
    gc.collect()
    assert gone() is not None  # frozen: no collection looks at it
    assert window.open_path(song_file)
    assert gone() is None  # the next load looks at everything again
