"""What the window keeps out of the garbage collector's sight (studio.heap): a settle
after each song looks at what came since; garbage among what it kept is collected once
what is kept has grown by a quarter, so it never piles up."""

from __future__ import annotations

import gc
import weakref

from studio import heap


class Node:
    pass


def test_garbage_among_the_kept_objects_is_collected_once_they_grew_by_a_quarter():
    heap._kept_after_full = 0  # the first settle looks at everything
    heap.settle()
    node = Node()
    node.me = node  # a cycle: reference counting alone never frees it
    gone = weakref.ref(node)
    heap.settle()  # kept now
    del node
    heap.settle()  # a little came since: only that is looked at
    assert gone() is not None
    grown = [[] for _ in range(int(gc.get_freeze_count() * heap.GROWTH) + 100)]
    heap.settle()  # a quarter more kept: everything is looked at again
    assert gone() is None
    del grown


def test_garbage_that_came_since_the_last_settle_is_collected_at_the_next():
    heap.settle()
    node = Node()
    node.me = node
    gone = weakref.ref(node)
    del node
    heap.settle()
    assert gone() is None
