"""Prerequisite graphs: cycle detection and a stable topological order.

Pure functions over plain mappings; the rubric validates with
:func:`find_cycle`, the plugin reorders collected items with
:func:`stable_order`.
"""

from __future__ import annotations

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
    Positions are taken in order; before one is placed, its prerequisites not yet
    placed are pulled up just ahead of it (in their own file order). So an order
    that already satisfies the constraints is returned as is, and only
    prerequisites that came too late move. Cycles (rejected by the rubric anyway)
    are broken where they close.
    """
    positions: dict[K, list[int]] = {}
    for index, key in enumerate(keys):
        if key is not None:
            positions.setdefault(key, []).append(index)
    placed = [False] * len(keys)
    visiting: set[int] = set()
    order: list[int] = []

    def place(index: int) -> None:
        if placed[index] or index in visiting:
            return
        visiting.add(index)
        key = keys[index]
        if key is not None:
            before = sorted({j for prereq in requires(key) for j in positions.get(prereq, ())})
            for other in before:
                place(other)
        visiting.discard(index)
        if not placed[index]:
            placed[index] = True
            order.append(index)

    for index in range(len(keys)):
        place(index)
    return order
