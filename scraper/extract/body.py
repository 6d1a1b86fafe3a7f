"""Find the article body in a parsed page (first version: densest block of paragraphs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import nh3
from bs4 import BeautifulSoup, Tag

NEVER_CONTENT = [
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "header",
    "form",
    "button",
    "iframe",
    "aside",
    "svg",
    "template",
]
ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "a", "strong", "em"}


@dataclass
class Body:
    text: str = ""
    html: str = ""
    reason: str | None = None


def extract_body(
    soup: BeautifulSoup, *, body_selector: str | None = None, remove_selectors: Sequence[str] = ()
) -> Body:
    for selector in remove_selectors:
        for node in soup.select(selector):
            node.decompose()
    for node in soup.find_all(NEVER_CONTENT):
        node.decompose()
    root = soup.select_one(body_selector) if body_selector else None
    if root is None:
        scores: dict[int, tuple[int, Tag]] = {}
        for p in soup.find_all("p"):
            parent = p.parent
            if isinstance(parent, Tag):
                score, _ = scores.get(id(parent), (0, parent))
                scores[id(parent)] = (score + len(p.get_text(strip=True)), parent)
        if not scores:
            return Body(reason="no paragraphs found")
        root = max(scores.values(), key=lambda pair: pair[0])[1]
    blocks = [p.get_text(" ", strip=True) for p in root.find_all(["p", "h2", "h3", "h4", "li"])]
    blocks = [b for b in blocks if b]
    html = "".join(f"<p>{nh3.clean_text(b)}</p>" for b in blocks)
    return Body(text="\n\n".join(blocks), html=nh3.clean(html, tags=ALLOWED_TAGS))
