"""Word-level differences between two versions of an article, for people to read.

Paragraphs are aligned first (a paragraph added or removed shifts nothing after it), then
the words of each changed pair are compared; insertions are <ins>, deletions <del>.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from markupsafe import Markup, escape


def paragraphs(body: str | None) -> list[str]:
    """The body's paragraphs: blocks separated by a blank line."""
    return [p.strip() for p in (body or "").split("\n\n") if p.strip()]


def word_diff(old: str, new: str) -> Markup:
    """`new` with the words `old` had instead marked: <del>old words</del><ins>new</ins>."""
    before, after = old.split(), new.split()
    parts: list[Markup] = []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(before[i1:i2])))
        if op in ("delete", "replace"):
            parts.append(Markup("<del>{}</del>").format(" ".join(before[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(Markup("<ins>{}</ins>").format(" ".join(after[j1:j2])))
    return Markup(" ").join(parts)


@dataclass
class Change:
    """One version compared with the one before it."""

    title: Markup | None  # the headline with its changes marked, None when unchanged
    paragraphs: list[Markup]  # changed paragraphs only, each with its changes marked
    unchanged: int  # paragraphs left as they were

    def summary(self) -> str:
        """One line: "headline changed, 2 paragraphs changed"."""
        parts = ["headline changed"] if self.title is not None else []
        if n := len(self.paragraphs):
            parts.append(f"{n} paragraph{'s' if n != 1 else ''} changed")
        return ", ".join(parts) or "no visible change in headline or text"


def _aligned(old: list[str], new: list[str]) -> Iterator[tuple[str, str]]:
    """Pairs (old, new) of paragraphs that differ; "" stands for one added or removed."""
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        olds, news = old[i1:i2], new[j1:j2]
        for k in range(max(len(olds), len(news))):
            yield (olds[k] if k < len(olds) else ""), (news[k] if k < len(news) else "")


def compare(
    old_title: str | None, old_body: str | None, title: str | None, body: str | None
) -> Change:
    pairs = list(_aligned(paragraphs(old_body), paragraphs(body)))
    headline = None
    if (old_title or "") != (title or ""):
        headline = word_diff(old_title or "", title or "")
    return Change(
        title=headline,
        paragraphs=[word_diff(a, b) for a, b in pairs],
        unchanged=len(paragraphs(body)) - sum(1 for _, b in pairs if b),
    )


def edit_summary(
    old_title: str | None, old_body: str | None, title: str | None, body: str | None
) -> str:
    """`compare(...).summary()` for SQL (the "Edited after publication" query)."""
    return compare(old_title, old_body, title, body).summary()
