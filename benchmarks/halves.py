"""The one split of every development set: tune on half A, report half B.

A page's half is `sha256(id) % 2` (0 is A, 1 is B), so the split is fixed by the page id alone
and the same in every script that reads a set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def half(page_id: str) -> str:
    """'A' (tune) or 'B' (held out) for a page id."""
    return "AB"[int(hashlib.sha256(page_id.encode("utf-8")).hexdigest(), 16) % 2]


def split(page_ids: Iterable[str]) -> dict[str, list[str]]:
    """{'A': [...], 'B': [...]}, each in the order given."""
    halves: dict[str, list[str]] = {"A": [], "B": []}
    for page_id in page_ids:
        halves[half(page_id)].append(page_id)
    return halves
