"""``--shard K/N``: one deterministic slice of the roster.

A student belongs to shard ``1 + int(sha256(id)) mod N``: it depends on the id
alone, so the roster's order, a resumed run or another machine never moves a
student to another shard, and the N shards together hold every line exactly once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
_SHARD = re.compile(r"([0-9]{1,4})/([0-9]{1,4})")


class ShardError(ValueError):
    """``str()`` is one line."""


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> (2, 4); K from 1 to N."""
    found = _SHARD.fullmatch(text.strip())
    if found is None:
        raise ShardError(f"--shard {text!r}: write K/N, e.g. --shard 1/4")
    k, n = int(found[1]), int(found[2])
    if n < 1 or not 1 <= k <= n:
        raise ShardError(f"--shard {text}: K must be between 1 and N (here N = {n})")
    return k, n


def shard_of(student: str, n: int) -> int:
    digest = hashlib.sha256(student.encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % n


def select(items: Sequence[T], ids: Sequence[str], k: int, n: int) -> list[T]:
    """The items (``ids[i]`` is item i's student) of shard ``k`` of ``n``, in roster order."""
    return [item for item, sid in zip(items, ids, strict=True) if shard_of(sid, n) == k]
