"""An archived article laid out for reading: its lead once, its paragraphs, subheadings
and lists.

The text shown is always the stored plain text (escaped by the template); the cleaned
body_html only tells which paragraphs were list items or subheadings.
"""

from __future__ import annotations

from typing import NamedTuple

import lxml.html

from pipelines.textsearch import WORD
from scraper.serve.diff import paragraphs


class Block(NamedTuple):
    kind: str  # "p", "h" (a subheading), or "ul" for a run of list items
    lines: list[str]


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def _kinds(body_html: str | None) -> dict[str, str]:
    """The text of each list item ("ul") and subheading ("h") in the body's HTML."""
    if not body_html or not ("<li" in body_html or "<h" in body_html):
        return {}
    root = lxml.html.fromstring(f"<div>{body_html}</div>")
    kinds = {"li": "ul", "h2": "h", "h3": "h", "h4": "h"}
    return {
        " ".join(element.text_content().split()): kinds[element.tag]
        for element in root.iter(*kinds)
    }


def layout(
    description: str | None, body: str | None, body_html: str | None
) -> tuple[str | None, list[Block]]:
    """The lead to show above the text (or None) and the text's blocks.

    The page's description is often its first paragraph, or that paragraph cut short:
    shown once either way (as the lead when it is the whole paragraph; not at all when it
    is only the paragraph's beginning).
    """
    texts = paragraphs(body)
    lead = (description or "").strip() or None
    if lead and texts:
        said, first = _words(lead), _words(texts[0])
        if said == first:
            texts = texts[1:]
        elif said and first[: len(said)] == said:
            lead = None
    kinds = _kinds(body_html)
    blocks: list[Block] = []
    for text in texts:
        kind = kinds.get(" ".join(text.split()), "p")
        if kind == "ul" and blocks and blocks[-1].kind == "ul":
            blocks[-1].lines.append(text)
        else:
            blocks.append(Block(kind, [text]))
    return lead, blocks
