"""The page's headline element, which anchors the article body (issue #14).

On a portal a short article loses on paragraph text to the columns of other news, posts and
comments around it. The element that repeats the page's title (the metadata's `title`) says
where the story is: `find` locates it once, before pruning, and the body's choice asks
`after` for the box that follows it, `cell_of` for its layout column and `article_span` for
how far an article that follows it may run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import Tag

from scraper.extract import rules
from scraper.extract.metadata import HEADING_RANK, box_text, elsewhere, is_link
from scraper.extract.rules import (
    LAYOUT_CELLS,
    MIN_PARAGRAPH_CHARS,
    PARAGRAPH_TAGS,
    REAL_PARAGRAPH_CHARS,
)

_WS = re.compile(r"\s+")
_STRIP = " \t\n\r\xa0.!?:;,\"'«»“”„"


@dataclass
class Headline:
    """The element that repeats the page's headline, placed before pruning (which may drop
    it, with the `<header>` around it): elements after `end` in `order` come after it."""

    tag: Tag
    end: int  # the position of its last descendant
    holders: frozenset[int]  # ids of its ancestors
    order: dict[int, int]  # every element's position in the page, by id
    cells: dict[int, int]  # the layout table cells around it: id -> last descendant's position


def find(tags: list[Tag], title: str | None) -> Headline | None:
    """The element of `tags` (the page's, in order) whose text is `title`: a heading before
    a bold or large box, one that is no link before a link, then the first."""
    want = plain(title or "")
    if len(want) < rules.HEADLINE_MIN_CHARS:
        return None
    found: tuple[tuple[bool, int], int] | None = None
    size = len(want)
    names = rules.HEADLINE_TAGS
    for index, tag in [(i, t) for i, t in enumerate(tags) if t.name in names]:
        text = box_text(tag)
        # (a headline's element may hold it among much spacing, but not a paragraph's worth)
        if text is None or not size <= len(text) <= 2 * size + 100 or plain(text) != want:
            continue
        rank = (is_link(tag), HEADING_RANK.get(tag.name, len(HEADING_RANK)))
        # A sidebar's "republish this" box or the like repeats the headline: no anchor.
        if (found is None or rank < found[0]) and not elsewhere(tag):
            found = rank, index
    if found is None:
        return None
    index = found[1]
    tag = tags[index]
    order = dict(zip(map(id, tags), range(len(tags)), strict=True))
    cells = {
        id(cell): order[id(cell)] + len(cell.find_all(True))
        for cell in tag.parents
        if cell.name in LAYOUT_CELLS
    }
    holders = frozenset(id(parent) for parent in tag.parents)
    return Headline(tag, index + len(tag.find_all(True)), holders, order, cells)


def plain(text: str) -> str:
    """A headline as compared: case, spacing and the quotes and stops around it aside."""
    return _WS.sub(" ", text).strip(_STRIP).casefold()


def after(blocks: list[tuple[Tag, int, int, bool]], headline: Headline) -> Tag | None:
    """The box of the first paragraph after the headline (past a few short blocks: a
    dateline, a byline, a caption), or the box that holds the headline with its paragraph
    text as bare text, as old table layouts do."""
    order, skipped = headline.order, 0
    for block, chars, link_chars, cut in blocks:
        paragraph = chars >= MIN_PARAGRAPH_CHARS and link_chars < rules.NET_MAX_LINKS * chars
        if id(block) in headline.holders:
            if paragraph and chars >= REAL_PARAGRAPH_CHARS:
                return block
            continue
        if order.get(id(block), -1) <= headline.end:
            continue
        if paragraph and not cut:
            return block.parent if block.name in PARAGRAPH_TAGS else block
        skipped += 1
        if skipped > rules.HEADLINE_REACH_BLOCKS:
            return None
    return None


def away_from(best: Tag, near: Tag, headline: Headline) -> bool:
    """Whether the best-scored box `best` lies away from `near`, the box after the headline:
    neither holds the other, and `best` comes before the headline or lies outside the
    layout table cell that holds the headline and `near`. (A box after the headline in a
    div layout is most often the body that a lead or standfirst box opens, however far
    apart the template puts them: a column of other news there is left to scoring.)"""
    if any(node is near for node in (best, *best.parents)) or any(
        node is best for node in near.parents
    ):
        return False
    if headline.order.get(id(best), -1) < headline.order.get(id(headline.tag), -1):
        return True
    cell = cell_of(near, headline)
    return cell is not None and not any(node is cell for node in best.parents)


def innermost_cell(headline: Headline | None) -> int | None:
    """The id of the layout table cell right around the headline, if any: in a layout
    table, the column of the article, whatever text the cells beside it hold."""
    if headline is None:
        return None
    return max(headline.cells, key=headline.order.__getitem__, default=None)


def cell_of(tag: Tag, headline: Headline) -> Tag | None:
    """The innermost layout table cell that holds both `tag` and the headline: the
    article's column of the page."""
    return nearest(tag, headline.cells)


def nearest(tag: Tag, ids: set[int] | frozenset[int] | dict[int, int]) -> Tag | None:
    """`tag` or its nearest ancestor whose id is in `ids`."""
    return next((node for node in (tag, *tag.parents) if id(node) in ids), None)


def article_span(core: Tag, headline: Headline) -> tuple[int, int] | None:
    """The positions the article may run through (after the first, up to the second):
    from the headline to the end of the layout cell that holds both it and `core`, or of
    the page; None when `core` neither follows nor holds the headline."""
    position = headline.order.get(id(core), -1)
    if position <= headline.end and id(core) not in headline.holders:
        return None
    cell = cell_of(core, headline)
    return headline.end, headline.cells[id(cell)] if cell is not None else len(headline.order)
