"""Prerequisite graphs: cycle detection and a stable topological order.

Pure functions over plain mappings; the rubric validates with
:func:`find_cycle`, the plugin reorders collected items with
:func:`stable_order`.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def find_cycle(graph: Mapping[K, Iterable[K]]) -> list[K] | None:
    """A cycle ``[a, b, ..., a]`` in ``graph`` (node -> its prerequisites), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour: dict[K, int] = {}
    for start in graph:
        if colour.get(start, WHITE) != WHITE:
            continue
        path: list[K] = [start]
        stack: list[Iterator[K]] = [iter(graph.get(start, ()))]
        colour[start] = GREY
        while stack:
            advanced = False
            for nxt in stack[-1]:
                state = colour.get(nxt, WHITE)
                if state == GREY:
                    return path[path.index(nxt) :] + [nxt]
                if state == WHITE:
                    colour[nxt] = GREY
                    path.append(nxt)
                    stack.append(iter(graph.get(nxt, ())))
                    advanced = True
                    break
            if not advanced:
                colour[path.pop()] = BLACK
                stack.pop()
    return None


def stable_order(keys: Sequence[K | None], requires: Callable[[K], Iterable[K]]) -> list[int]:
    """Indices of ``keys`` reordered so that prerequisites come first, otherwise unchanged.

    ``keys[i]`` is the check behind position ``i`` (None: not a graded check);
    every position holding a prerequisite of ``keys[i]`` must precede ``i``.
    Kahn's algorithm always taking the smallest available index: an order that
    already satisfies the constraints is returned as is, and an item moves only
    as far as its prerequisites force it to. Cycles (rejected by the rubric
    anyway) leave their members in their original order.
    """
    positions: dict[K, list[int]] = {}
    for index, key in enumerate(keys):
        if key is not None:
            positions.setdefault(key, []).append(index)
    waiting_on = [0] * len(keys)
    unlocks: list[list[int]] = [[] for _ in keys]
    for index, key in enumerate(keys):
        if key is None:
            continue
        for prereq in requires(key):
            for before in positions.get(prereq, ()):
                if before != index:
                    unlocks[before].append(index)
                    waiting_on[index] += 1
    ready = [index for index, count in enumerate(waiting_on) if count == 0]
    heapq.heapify(ready)
    order: list[int] = []
    placed = [False] * len(keys)
    while len(order) < len(keys):
        if not ready:  # a cycle: release the earliest blocked position
            heapq.heappush(ready, min(i for i in range(len(keys)) if not placed[i]))
        index = heapq.heappop(ready)
        if placed[index]:
            continue
        placed[index] = True
        order.append(index)
        for after in unlocks[index]:
            waiting_on[after] -= 1
            if waiting_on[after] == 0 and not placed[after]:
                heapq.heappush(ready, after)
    return order
