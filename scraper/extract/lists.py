"""Lists of other stories or of readers' comments after a short article (issue #14).

On a portal page a news brief is followed by the next stories (a linked headline, its time,
a lead) or by readers' comments (a name, a date, a few sentences). Their paragraphs look
like the article going on, so scoring, widening and the safety net would take them in.
`dated_list_items` finds such lists among the page's text blocks, in one pass.
"""

from __future__ import annotations

import re

from bs4 import Tag

from scraper.extract import rules
from scraper.extract.dates import beside_date, looks_like_date
from scraper.extract.rules import MIN_PARAGRAPH_CHARS

_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]{2,}")


def dated_list_items(blocks: list[tuple[Tag, int, int, int, bool, str]]) -> set[int]:
    """ids of the blocks that are items of a list of other stories or of comments: at least
    rules.LIST_MIN_ITEMS items in a row, all of the same make (the same tags in the same
    order), each dated and named ("Иван, 12.01.2012 14:35", a linked headline and its time)
    and with a short text. A short article is no such item: nothing dates its paragraphs, or
    its make is not the next story's. What follows it on a portal page is then not taken
    for the article going on. (A list of headlines and leads with no dates may be the
    article: a guide's short sections, webcams, products; so may dated entries under a bare
    date: a timeline.)"""
    listed: set[int] = set()
    run: list[Tag] = []  # blocks of the items in a row so far
    items = 0
    make: tuple = ()
    item: list[Tag] = []
    shape: list[tuple[str, str]] = []
    dated = named = paras = text = 0

    def close() -> None:
        nonlocal run, items, make
        this = (
            tuple(shape)
            if dated
            and named
            and 0 < paras <= rules.LIST_ITEM_MAX_PARAGRAPHS
            and text <= rules.LIST_ITEM_MAX_CHARS
            else ()
        )
        if this and this == make:
            run += item
            items += 1
            return
        if items >= rules.LIST_MIN_ITEMS:
            listed.update(map(id, run))
        run, items, make = (list(item), 1, this) if this else ([], 0, ())

    for block, chars, link_chars, _, _, short in blocks:
        if short and _is_stamped(short):
            kind = "stamp"
        elif link_chars * 2 >= chars and chars < rules.HEADLINE_MAX_CHARS:
            kind = "headline"
        elif chars >= MIN_PARAGRAPH_CHARS and link_chars < rules.NET_MAX_LINKS * chars:
            kind = "paragraph"
        else:
            item.append(block)  # a short bit ("Ответить", a name) goes with its item
            continue
        if kind != "paragraph" and paras:  # a marker after the paragraphs: the next item
            close()
            item, shape, dated, named, paras, text = [], [], 0, 0, 0, 0
        item.append(block)
        shape.append((block.name, kind))
        if kind == "paragraph":
            paras += 1
            text += chars
        dated += kind == "stamp"
        # whose item: a linked headline, or a name beside the date ("Иван, 12.01.2012")
        named += kind == "headline" or (
            kind == "stamp" and _WORD.search(beside_date(short)) is not None
        )
    close()
    if items >= rules.LIST_MIN_ITEMS:
        listed.update(map(id, run))
    # With no paragraph of its own beside them, the items are the page's text: a live blog.
    own = any(
        id(block) not in listed
        and chars >= MIN_PARAGRAPH_CHARS
        and link_chars < rules.NET_MAX_LINKS * chars
        for block, chars, link_chars, *_ in blocks
    )
    return listed if own else set()


def _is_stamped(text: str) -> bool:
    """Whether a short line holds a date or a time of day ("Иван 12.01.2012 14:35")."""
    return _DIGIT.search(text) is not None and (  # most short lines have none: menus
        bool(rules.TIME_OF_DAY.search(text) or rules.TICKER_STAMP.match(text))
        or looks_like_date(text)
    )
