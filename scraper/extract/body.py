"""Find the article body in a parsed page and render it as text and minimal HTML.

Four steps on the BeautifulSoup tree, each one pass:

1. prune: a source's `remove_selectors`, tags that are never content, hidden elements and
   boxes whose class/id says boilerplate (rules.py), unless they hold most of the text;
2. choose: score paragraphs, credit their ancestors (readability's idea), weigh by link
   density and hints (`itemprop=articleBody`, JSON-LD `articleBody`, class/id), take the
   best container and the siblings that look like it (a lead paragraph often sits outside
   the body div); the items of a dated list (the next stories, readers' comments) neither
   score nor count as prose, and go from the chosen container; the element that repeats
   the page's headline anchors the choice: the article is what follows it, in its box and
   its layout column;
3. clean inside it: link lists, boxes introduced by a boilerplate label ("Read also") and
   the teasers after such a heading, short blocks that open with a boilerplate phrase;
4. render: one text block per paragraph, heading or list item, and the same as HTML,
   sanitized by nh3; then the safety net: when the densest run of paragraph text on the
   page holds the chosen body and has over twice its text, the run is rendered instead
   (paragraphs in boxes named like boilerplate, a promo bar or comments, count against it;
   a run across the cells of a layout table's row is two columns, not one article).

A source's `body_selector` replaces step 2. Nothing here raises: a failure becomes an empty
body with a `reason`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urljoin

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Script, Stylesheet, TemplateString
from w3lib.html import remove_tags, replace_entities

from scraper.extract import headline as anchor
from scraper.extract import rules
from scraper.extract.dates import looks_like_date
from scraper.extract.headline import Headline
from scraper.extract.lists import dated_list_items
from scraper.extract.metadata import HEADING_RANK
from scraper.extract.rules import (
    LAYOUT_CELLS,
    MIN_PARAGRAPH_CHARS,
    PARAGRAPH_TAGS,
    REAL_PARAGRAPH_CHARS,
)

ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "a", "strong", "em"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}

# Elements that end a text block; everything else is inline.
BLOCK_TAGS = rules.words(
    "p div section article main header h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre "
    "table thead tbody tfoot tr td th hr br address center"
)
HEADINGS = {"h1": None, "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}
INLINE_MARKUP = {"a": "a", "strong": "strong", "b": "strong", "em": "em", "i": "em"}

HINT_WEIGHT = {1: 1.25, 0: 1.0, -1: 0.5}  # class/id hints scale a container's score
# Share of a paragraph's score credited to its container, the container's parent, and so on.
ANCESTOR_SHARE = (1, 1 / 2, 1 / 6, 1 / 9, 1 / 12)
HEADLINE_CELL_WEIGHT = 1.25  # the layout cell of the page's headline, against the others
WIDEN_LEVELS = 6  # how many boxes that add text above the best-scored one may be climbed
WIDEN_GAIN = 0.6  # share of prose an ancestor must add to be taken
WIDEN_MAX_LINKS = 0.3  # ... of which at most this share in links
WIDEN_MIN_PROSE = 0.6  # ... and which must be this share of all the text it adds
SIBLING_BOX_MAX_CHARS = 500  # a paragraph this long, mostly not links, is prose
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WS = re.compile(r"\s+")
_NO_TOKENS: frozenset[str] = frozenset()
_NOT_TEXT = (Script, Stylesheet, TemplateString)  # strings that get_text() skips too
_ELLIPSES = ("...", "…")
_SENTENCE_STOPS = (".", "!", "?", "…", ".»", '."', ".”", "?”", "!”")
# The phrases by their first character: a block is compared with the few that could open it.
_PHRASES_BY_FIRST = {
    first: tuple(p for p in rules.ALL_PHRASES if p[0] == first)
    for first in {p[0] for p in rules.ALL_PHRASES}
}
# Labels whose value may sit in the next block, as in a layout table's cells: "Автор:".
_LABELS = frozenset(p for p in rules.ALL_PHRASES if p.endswith(":"))
_SENTENCE_END = re.compile(r"[.!?…](\s|$)")
_THREAD_ITEMS = rules.words("div li article section")
_NOTICE = re.compile("|".join(map(re.escape, rules.NOTICE_MARKERS)))
_MARKER = re.compile("|".join(map(re.escape, rules.NOTICE_MARKERS + rules.BOILERPLATE_MARKERS)))
_COMMENTS_HEADINGS = rules.words("h2 h3 h4 h5 h6 p div")
_LIST_RUN = re.compile(r"(?:<li>.*?</li>)+", re.DOTALL)
_BARE_TEXT_BOXES = rules.words("div section article td")
_LINK_LIST_TAGS = rules.words("ul ol div section table p dl")  # boxes that may be link lists
_LABEL_TAGS = rules.words("h2 h3 h4 h5 h6 strong b span div p")  # "Read also:" and the like
_QUESTION_TAGS = rules.words("h2 h3 h4 h5 h6 dt summary strong b button")  # an FAQ's questions
_LD_ARTICLE_BODY = re.compile(r'"articleBody"\s*:\s*"((?:[^"\\]|\\.){40,})"')


@dataclass
class Body:
    text: str = ""
    html: str = ""
    reason: str | None = None


def extract_body(
    soup: BeautifulSoup,
    *,
    body_selector: str | None = None,
    remove_selectors: Sequence[str] = (),
    url: str | None = None,
    title: str | None = None,
) -> Body:
    """The article body of `soup` (which is pruned in place). `url` makes links absolute;
    `title` is the page's headline as the metadata found it: the body follows the element
    that repeats it."""
    try:
        return _extract(soup, body_selector, remove_selectors, url, title)
    except Exception as exc:  # the contract is "never raises": report, don't crash a crawl
        return Body(reason=f"body extraction failed: {type(exc).__name__}: {exc}")


def _extract(
    soup: BeautifulSoup,
    body_selector: str | None,
    remove_selectors: Sequence[str],
    url: str | None,
    title: str | None,
) -> Body:
    for selector in remove_selectors:
        for node in soup.select(selector):
            node.decompose()
    # Every element, listed once for the JSON-LD and the pruning: a walk of the whole page
    # costs as much as either.
    tags = soup.find_all(True)
    ld_body = _json_ld_body(tags)
    lead = _description(soup)
    roots: list[Tag] = soup.select(body_selector) if body_selector else []
    if roots:
        for root in roots:
            _prune(root.find_all(True), heuristics=False)
    else:
        headline = anchor.find(tags, title)
        _prune(tags, heuristics=True)
        left = [tag for tag in tags if not _gone(tag)]  # what pruning kept, in order
        roots, core, dense = _choose(soup, left, ld_body, lead, headline)
        if not roots:
            return Body(reason="no article text found")
        for root in roots:
            _clean(root, core)
    blocks = _blocks(roots, url)
    if not body_selector and dense is not None and core is not None:
        blocks = _safety_net(blocks, core, dense, url)
    if not body_selector and _words(ld_body) >= max(
        rules.LD_BODY_MIN_WORDS, rules.LD_BODY_FACTOR * sum(_words(text) for text, _ in blocks)
    ):
        # The publisher's own articleBody is much longer than what the page's markup gave.
        blocks = [(para, f"<p>{escape(para)}</p>") for para in _ld_paragraphs(ld_body)]
    if not blocks:
        return Body(reason="no article text found")
    text = "\n\n".join(text for text, _ in blocks)
    html = nh3.clean(
        _LIST_RUN.sub(r"<ul>\g<0></ul>", "".join(html for _, html in blocks)),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    )
    return Body(text=text, html=html)


def _blocks(roots: Sequence[Tag], url: str | None) -> list[tuple[str, str]]:
    """The rendered (text, html) blocks of `roots`, without boilerplate lines and tails."""
    blocks = [block for root in roots for block in _render(root, url)]
    kept = []
    label = False  # the block before was a label alone ("Автор:"): this one is its value
    for text, html in blocks:
        value, label = label and len(text) < rules.LABEL_VALUE_MAX_CHARS, text.lower() in _LABELS
        if not value and not _is_boilerplate_text(text):
            kept.append((text, html))
    return _drop_contact_tail(_drop_ticker_tail(_drop_repeats(kept)))


def _drop_repeats(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Without a run of blocks that repeats the run right before it word for word."""
    kept: list[tuple[str, str]] = []
    i = 0
    while i < len(blocks):
        for size in range(1, rules.REPEAT_RUN_MAX + 1):
            run = [text for text, _ in blocks[i : i + size]]
            if (
                len(kept) >= size
                and run == [text for text, _ in kept[-size:]]
                and sum(map(len, run)) >= rules.REPEAT_MIN_CHARS
            ):
                i += size
                break
        else:
            kept.append(blocks[i])
            i += 1
    return kept


def _safety_net(
    blocks: list[tuple[str, str]], core: Tag, dense: tuple[Tag, Tag, int], url: str | None
) -> list[tuple[str, str]]:
    """The densest run of paragraph text instead of the chosen body when that is much
    shorter and holds it: scoring picked one section, a lead or a box of an article that
    runs on."""
    first, last, chars = dense
    chosen = sum(len(text) for text, _ in blocks)
    if chosen >= rules.NET_FACTOR * chars or _gone(first):
        return blocks
    root = _common_ancestor(first, last)
    if root is None or root.name == "tr":  # a run across the cells of a row: two columns
        return blocks
    _trim_outside(root, first, last)
    if not any(node is root for node in (core, *core.parents)):  # not broader: elsewhere
        return blocks
    _clean(root, core)
    wider = _blocks([root], url)
    return wider if sum(len(t) for t, _ in wider) > chosen else blocks


def _common_ancestor(a: Tag, b: Tag) -> Tag | None:
    mine = {id(p) for p in (a, *a.parents)}
    for node in (b, *b.parents):
        if id(node) in mine:
            return node if node.name != "[document]" else None
    return None


def _trim_outside(root: Tag, first: Tag | None, last: Tag | None) -> None:
    """Drop what `root` holds before `first` and after `last` (if given), in page order."""
    for edge, side in ((first, "previous_siblings"), (last, "next_siblings")):
        node = edge
        while node is not root and node is not None:
            for sibling in list(getattr(node, side)):
                sibling.extract()
            node = node.parent


# --- 1. prune ----------------------------------------------------------------------------


def _json_ld_body(tags: list[Tag]) -> str:
    """JSON-LD `articleBody` in the page's `tags`, as plain text: a hint for choosing the
    container, and the body itself when it is much longer than what the markup gives."""
    for script in tags:
        if script.name != "script" or script.get("type") != "application/ld+json":
            continue
        match = _LD_ARTICLE_BODY.search(script.string or "")
        if match:
            try:
                text = json.loads(f'"{match.group(1)}"')
            except ValueError:
                continue
            return replace_entities(remove_tags(text)) if "<" in text or "&" in text else text
    return ""


def _description(soup: BeautifulSoup) -> str:
    """The page's `<meta name=description>` (or og:description), whitespace folded."""
    head = soup.head
    for meta in head.find_all("meta") if head else ():
        if meta.get("name") == "description" or meta.get("property") == "og:description":
            content = meta.get("content")
            if isinstance(content, str) and content.strip():
                return _WS.sub(" ", content).strip()
    return ""


def _is_lead(text: str, lead: str) -> bool:
    """Whether a box's `text` opens with the page's description: a standfirst."""
    start = lead[: rules.LEAD_MATCH_CHARS]
    return len(start) == rules.LEAD_MATCH_CHARS and _WS.sub(" ", text).startswith(start)


def _ld_paragraphs(text: str) -> list[str]:
    return [p for p in (_WS.sub(" ", line).strip() for line in text.splitlines()) if p]


def _words(text: str) -> int:
    return len(text.split())


def _tokens(tag: Tag) -> frozenset[str]:
    attrs = tag.attrs
    classes, ident = attrs.get("class"), attrs.get("id")
    if not classes and not ident:  # most tags: no set to build
        return _NO_TOKENS
    classes = " ".join(classes) if isinstance(classes, list) else str(classes or "")
    return _tokens_of(classes, str(ident or ""))


@functools.lru_cache(maxsize=8192)  # class names repeat across a page and a site
def _tokens_of(classes: str, ident: str) -> frozenset[str]:
    return frozenset((*rules.hint_tokens(classes), *rules.hint_tokens(ident)))


def _has_token(tag: Tag, hints: frozenset[str]) -> bool:
    return not _tokens(tag).isdisjoint(hints)


def _hint(tag: Tag) -> int:
    """+1 if class/id look like the article, -1 if like boilerplate, 0 otherwise."""
    tokens = _tokens(tag)
    if not tokens.isdisjoint(rules.POSITIVE_HINTS):  # no intersection built, per tag
        return 1
    return 0 if tokens.isdisjoint(rules.NEGATIVE_HINTS) else -1


def _is_hidden(tag: Tag) -> bool:
    attrs = tag.attrs  # the dict itself: Tag.get and has_attr are a call each, per tag
    if not attrs:
        return False
    style = attrs.get("style")
    return (
        "hidden" in attrs
        and not rules.STREAMED_CHUNK_ID.match(str(attrs.get("id") or ""))
        or attrs.get("aria-hidden") == "true"
        or (isinstance(style, str) and bool(_HIDDEN_STYLE.search(style)))
    )


def _gone(tag: Tag) -> bool:
    """`tag.decomposed`, without its cost: bs4 reads the flag with getattr, and on a tag
    never decomposed the miss falls through to `Tag.__getattr__`, a search of the whole
    subtree for a `<_decomposed>` element."""
    return vars(tag).get("_decomposed", False)


def _text_len(tag: Tag) -> int:
    return sum(len(s.strip()) for s in _strings(tag))


def _prune(tags: list[Tag], *, heuristics: bool) -> None:
    """Drop what is never content from `tags`, every element of a tree in document order
    (listed once by the caller: bs4's find_all is the slow part of every pass); with
    `heuristics`, also boxes hinted as boilerplate that hold no real paragraph (those that
    do are left to scoring and to `_clean`).

    Unless hidden, the container of most of the page's paragraph text and its ancestors
    stay (their other children are still judged): broken markup nests whole articles in a
    `<header>` or `<nav>`, and templates put `category-*` or `meta` on the element that
    wraps the article. (Streamed chunks are not hidden: see rules.STREAMED_CHUNK_ID.)"""
    holders = _article_body_holders(tags)
    keep, real = _text_holders(tags) if heuristics else (set(), set())
    quoted = _quoting(tags) if heuristics else set()
    for tag in tags:
        if _gone(tag):  # inside something already dropped
            continue
        if (
            tag.name in rules.NEVER_TEXT
            or _is_hidden(tag)
            or (
                tag.name in rules.NEVER_CONTENT
                and not (tag.name == "figure" and tag.find(rules.TEXT_IN_FIGURE))
                or heuristics
                and (_hint(tag) < 0 or tag.name == "header")
                and not _holds_article_text(tag, holders, real)
                and id(tag) not in quoted
            )
            and (id(tag) not in keep or tag.name in rules.NEVER_HOLDS_ARTICLE)
        ):
            tag.decompose()


def _quoting(tags: list[Tag]) -> set[int]:
    """ids of the boxes that wrap nothing but a `<blockquote>`: a post embedded as a quote,
    in a box named "social" or "embed", is quoted by the article, not a share button (a
    box with more text beside the quote, a promo or a comment, is judged as before)."""
    return {
        id(box) for quote in tags if quote.name == "blockquote" for box in _sole_wrappers(quote)
    }


def _sole_wrappers(tag: Tag) -> Iterator[Tag]:
    """The boxes around `tag`, innermost first, that show no text beside it."""
    inner, box = tag, tag.parent
    while isinstance(box, Tag) and not any(
        child is not inner and _has_text(child) for child in box.children
    ):
        yield box
        inner, box = box, box.parent


def _text_holders(tags: list[Tag]) -> tuple[set[int], set[int]]:
    """ids of the tags that hold most (over half) of the text in the page's `<p>`s, and of
    those that hold at least one real paragraph (long, few links), in one pass. A page with
    hardly any `<p>` text is read by its boxes of bare text too."""
    held: dict[int, int] = {}
    real: set[int] = set()
    total = 0
    paragraphs = _paragraphs(tags)
    if sum(length for _, length, _ in paragraphs) < 2 * REAL_PARAGRAPH_CHARS:
        paragraphs += _bare_paragraphs(tags)
    for para, length, density in paragraphs:
        total += length
        is_real = length >= REAL_PARAGRAPH_CHARS and density < 0.3
        held[id(para)] = held.get(id(para), 0) + length
        for parent in para.parents:  # a paragraph named like boilerplate is no holder
            held[id(parent)] = held.get(id(parent), 0) + length
            if is_real:
                real.add(id(parent))
    return {key for key, length in held.items() if length > total / 2}, real


def _paragraphs(tags: list[Tag]) -> list[tuple[Tag, int, float]]:
    """(p, characters, link density) of the page's `<p>`s of some length, mostly not links."""
    found = []
    for para in tags:
        if para.name != "p":
            continue
        length, links = _text_and_links(para)
        if length < MIN_PARAGRAPH_CHARS:
            continue
        density = min(1.0, links / length)
        if density < 0.5:
            found.append((para, length, density))
    return found


def _bare_paragraphs(tags: list[Tag]) -> list[tuple[Tag, int, float]]:
    """(box, characters, 0) of the boxes that hold a real paragraph as bare text."""
    found = []
    for box in tags:
        if box.name in _BARE_TEXT_BOXES:
            length = sum(len(s.strip()) for s in box.contents if type(s) is NavigableString)
            if length >= REAL_PARAGRAPH_CHARS:
                found.append((box, length, 0.0))
    return found


def _article_body_holders(tags: list[Tag]) -> set[int]:
    """ids of the tags that contain an `itemprop=articleBody` element, found in one pass.

    Computed before a pass that decomposes tags in document order: a holder comes before
    the element it holds, so the answer cannot change for any tag the pass still reads.
    """
    holders: set[int] = set()
    for tag in tags:
        if tag.attrs.get("itemprop") == "articleBody":
            holders.update(id(parent) for parent in tag.parents)
    return holders


def _holds_article_text(tag: Tag, holders: set[int], real: set[int]) -> bool:
    """Whether `tag` holds the marked article body or a real paragraph (see _text_holders)."""
    return (
        tag.name in ("html", "body")
        or tag.attrs.get("itemprop") == "articleBody"
        or id(tag) in holders
        or id(tag) in real
    )


# --- 2. choose ---------------------------------------------------------------------------


def _strings(tag: Tag) -> Iterator[str]:
    for s in tag.descendants:
        if isinstance(s, NavigableString) and not isinstance(s, _NOT_TEXT):
            yield s


def _link_density(tag: Tag, length: int) -> float:
    return min(1.0, _text_and_links(tag)[1] / length) if length else 0.0


def _text_and_links(tag: Tag) -> tuple[int, int]:
    """The characters of text under `tag` (`_text_len`) and of them those in links, once
    per link they are in, in one walk over its strings."""
    chars = links = 0
    for string in _strings(tag):
        length = len(string.strip())
        chars += length
        node = string.parent
        while length and node is not tag:
            if node.name == "a":
                links += length
            node = node.parent
    return chars, links


def _choose(
    soup: BeautifulSoup, tags: list[Tag], ld_body: str, lead: str, headline: Headline | None
) -> tuple[list[Tag], Tag | None, tuple[Tag, Tag, int] | None]:
    """The container of the article and the siblings that continue it, best first; and the
    best-scored container, which may be inside the first when the article spans sections.
    `tags` are the page's elements left after pruning. `lead` is the page's description: a
    box before the body that says it is the lead. The `headline` (the element that repeats
    the page's title) anchors the choice: on a portal a short article loses on text to the
    other news, posts and columns around it.
    When the best-scored box spans the layout cells around the headline, or lies before it
    or outside its cell, the box right after the headline is taken if it holds a real
    paragraph or two; an article after its headline widens no higher than the box of both,
    starts at the headline when its box holds another story before it, and is joined by no
    sibling before the headline (when anchored) nor by the other cells of its row."""
    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}
    # [characters in paragraphs, of them in links, all characters, of them in links]
    prose: dict[int, list[int]] = {}
    seen: list[tuple[Tag, int, int, bool]] = []  # for the safety net's run, in page order
    blocks = list(_text_blocks(soup))
    listed = dated_list_items(blocks)  # other stories or comments, one item after another
    for block, chars, link_chars, commas, cut, _ in blocks:
        if id(block) in listed:  # as if not on the page, but against the safety net's run
            seen.append((block, chars, link_chars, True))
            continue
        long = chars >= MIN_PARAGRAPH_CHARS
        seen.append((block, chars, link_chars, cut))
        for ancestor in (block, *block.parents):
            entry = prose.setdefault(id(ancestor), [0, 0, 0, 0])
            entry[2] += chars
            entry[3] += link_chars
            if long:
                entry[0] += chars
                entry[1] += link_chars
        if not long:
            continue
        score = (1 + commas + min(chars / 100, 3)) * (1 - link_chars / chars)
        # A paragraph credits its containers; a div holding bare text is one itself.
        start = block.parent if block.name in PARAGRAPH_TAGS else block
        ancestors = [start, *_ancestors(start, len(ANCESTOR_SHARE) - 1)]
        for share, ancestor in zip(ANCESTOR_SHARE, ancestors, strict=False):
            key = id(ancestor)
            nodes[key] = ancestor
            scores[key] = scores.get(key, 0.0) + score * share
    if ld_body:
        start = _WS.sub(" ", ld_body).strip()[:40]
        probe = max(start.split(), key=len, default="")  # a cheap test before normalising
        for node in soup.find_all(string=lambda s: probe in s and start in _WS.sub(" ", s)):
            for ancestor in _ancestors(node, 2):
                nodes[id(ancestor)] = ancestor
                scores[id(ancestor)] = scores.get(id(ancestor), 0.0) + 30
    marks, threads = _marks_and_threads(tags)
    for tag in marks:
        nodes[id(tag)] = tag
        scores[id(tag)] = scores.get(id(tag), 0.0) + 50
    if not scores:
        return [], None, None
    weighted = {}
    headed = anchor.innermost_cell(headline)
    for key, score in sorted(scores.items(), key=lambda kv: -kv[1])[:8]:
        _, _, chars, links = prose.get(key, (0, 0, 0, 0))
        density = min(1.0, links / chars) if chars else 0.0
        thread = _in_thread(nodes[key], threads)  # a long comment is no article
        weight = HINT_WEIGHT[_hint(nodes[key])] * (HEADLINE_CELL_WEIGHT if key == headed else 1)
        weighted[key] = 0.0 if thread else score * weight * (1 - density)
    best = nodes[max(weighted, key=weighted.__getitem__)]
    top = weighted[id(best)]
    near = _anchored_box(best, seen, headline, prose, threads)
    anchored, elsewhere = near is not None, best
    if near is not None:
        best, top = near, scores.get(id(near), 0.0)
    # An article that follows its headline widens (by sections) no higher than the box
    # that holds both.
    ceiling = None
    if headline is not None and anchor.article_span(best, headline) is not None:
        ceiling = anchor.nearest(best, headline.holders)
    core, best = best, _widen(best, prose, ceiling)
    if anchored and any(parent is best for parent in elsewhere.parents):
        best = core  # widened up to the box it was preferred to
    # The page's own articleBody mark, on a few hundred words, outweighs any scoring.
    longest = max(marks, key=_text_len, default=None)
    marked_chars = prose.get(id(longest), (0,))[0]
    marked = marked_chars >= rules.MARKED_BODY_MIN_CHARS and not (
        best in longest.parents and marked_chars >= prose[id(best)][0] / 2
    )
    if marked:  # then siblings join it only as leads, not by score
        core = best = longest
    else:  # a list in the article's own container, as old layouts have it, goes too
        _drop_listed(blocks, listed, prose, core)
        if headline is not None and _text_before(seen, best, headline, prose[id(best)][0]):
            _trim_outside(best, headline.tag, None)
    best = _outer_wrapper(best)
    parent = best.parent
    dense = None if marked or ld_body or anchored else _dense_run(seen, core, headline)
    if not isinstance(parent, Tag) or parent.name == "[document]" or best.name in LAYOUT_CELLS:
        return [best], core, dense  # the cells beside a layout cell are the page's columns
    # Siblings that belong with it: scored nearly as well, or plain long paragraphs.
    threshold = max(10.0, top * 0.2)
    chosen = []
    before = True
    for sibling in parent.children:
        if not isinstance(sibling, Tag) or sibling is not best and _hint(sibling) < 0:
            continue
        if sibling is not best and anchored and before:
            continue  # the article follows its headline
        if sibling is best:
            chosen.append(sibling)
            before = False
            continue
        key = id(sibling)
        scored = (
            key in scores
            and scores[key] * (1 - _link_density(sibling, _text_len(sibling))) >= threshold
        )
        if not marked and (scored or not before and _is_faq(sibling, prose.get(key))):
            chosen.append(sibling)
        elif sibling.name in ("p", "div", "section"):
            text = sibling.get_text(" ", strip=True)
            density = _link_density(sibling, len(text))
            # readability's rule: a long paragraph, or a short linkless full sentence; a box
            # named like a lead counts too, if no bigger than a paragraph or two.
            if sibling.name != "p" and not (
                len(text) <= SIBLING_BOX_MAX_CHARS
                and (_has_token(sibling, rules.LEAD_HINTS) or before and _is_lead(text, lead))
            ):
                continue
            if (len(text) > 80 and density < 0.25) or (density == 0 and _SENTENCE_END.search(text)):
                chosen.append(sibling)
    return chosen, core, dense


def _anchored_box(
    best: Tag,
    seen: list[tuple[Tag, int, int, bool]],
    headline: Headline | None,
    prose: dict[int, list[int]],
    threads: set[int],
) -> Tag | None:
    """The box right after the headline, when it wins over the best-scored box `best`: it
    holds a real paragraph or two, and `best` spans the layout row of the headline's cell,
    or lies before the headline or outside its cell."""
    near = anchor.after(seen, headline) if headline is not None else None
    if near is None or headline is None or _hint(near) < 0 or _in_thread(near, threads):
        return None
    chars = prose.get(id(near), (0,))[0]
    if chars < rules.HEADLINE_BODY_MIN_CHARS:
        return None
    column = anchor.cell_of(near, headline)
    if column is not None and any(node is best for node in column.parents):
        return near  # the best-scored box spans the page's columns, the headline's among them
    if chars >= rules.HEADLINE_BODY_SHARE * prose[id(best)][0] and anchor.away_from(
        best, near, headline
    ):
        return near
    return None


def _is_faq(box: Tag, counts: list[int] | None) -> bool:
    """Whether `box`, with these `prose` counts, is the article's FAQ in a box of its own:
    mostly long paragraphs, few of them links, under questions; not a row of teasers, an
    author's box or the site's footer. Scoring credits no box that high above an answer."""
    if counts is None:
        return False
    chars, links, everything, _ = counts
    if not (
        chars >= rules.FAQ_MIN_CHARS
        and links <= WIDEN_MAX_LINKS * chars
        and chars >= WIDEN_MIN_PROSE * everything
    ):
        return False
    questions = 0
    for heading in box.find_all(_QUESTION_TAGS):
        # a linked question is a teaser's headline ("How much does X cost?")
        questions += heading.get_text(strip=True).endswith("?") and not heading.find("a")
        if questions >= rules.FAQ_MIN_QUESTIONS:
            return True
    return False


def _outer_wrapper(best: Tag) -> Tag:
    """The outermost box around `best` that holds no text of its own beside it: the
    article's siblings (a lead, paragraphs before an embedded table) are that box's."""
    for box in _sole_wrappers(best):
        if box.name in ("body", "html", "[document]"):
            break
        best = box
    return best


def _has_text(node: Tag | NavigableString) -> bool:
    """Whether `node` shows any text (a comment or a doctype is none)."""
    if isinstance(node, Tag):  # up to the first string with text, not the whole of it
        return any(type(s) is NavigableString and s.strip() for s in node.descendants)
    return type(node) is NavigableString and bool(node.strip())


def _drop_listed(
    blocks: list[tuple[Tag, int, int, int, bool, str]],
    listed: set[int],
    prose: dict[int, list[int]],
    core: Tag,
) -> None:
    """Drop the listed blocks that hold no other text (`prose` counts none of a list's)
    and do not hold `core`."""
    holders = {id(tag) for tag in (core, *core.parents)}
    for block, *_ in blocks:
        key = id(block)
        if key in listed and key not in holders and key not in prose and not _gone(block):
            block.decompose()


def _text_before(
    blocks: list[tuple[Tag, int, int, bool]], box: Tag, headline: Headline, total: int
) -> bool:
    """Whether `box`, with `total` characters of paragraphs, holds the headline (a heading
    still on the page) and before it a real paragraph's worth of other text, a column of
    other news in the same wrapper, but not so much more than follows the headline that
    the heading is rather a box's after the article (HEADLINE_BODY_SHARE)."""
    tag = headline.tag
    if id(box) not in headline.holders or tag.name not in HEADING_RANK or _gone(tag):
        return False
    order = headline.order
    low, high = order.get(id(box), -1), order.get(id(tag), -1)
    chars = 0
    for block, length, link_chars, _ in blocks:
        position = order.get(id(block), -1)
        if (
            low < position < high
            and id(block) not in headline.holders
            and length >= MIN_PARAGRAPH_CHARS
            and link_chars < rules.NET_MAX_LINKS * length
        ):
            chars += length
    return chars >= REAL_PARAGRAPH_CHARS and rules.HEADLINE_BODY_SHARE * chars <= total - chars


def _marks_and_threads(tags: list[Tag]) -> tuple[list[Tag], set[int]]:
    """The `itemprop=articleBody` elements, and the ids of the comment threads: boxes of
    which at least half the child boxes, and two or more, are named as comments. (One box
    so named may be the article: "комментарий" is also a column.) One pass over `tags`."""
    marks = []
    named: dict[int, list] = {}
    for tag in tags:
        attrs = tag.attrs
        if not attrs:
            continue
        if attrs.get("itemprop") == "articleBody":
            marks.append(tag)
        if tag.name in _THREAD_ITEMS and _has_token(tag, rules.COMMENT_HINTS):
            named.setdefault(id(tag.parent), [tag.parent, 0])[1] += 1
    return marks, {
        key
        for key, (box, count) in named.items()
        if count > 1 and 2 * count >= len(box.find_all(_THREAD_ITEMS, recursive=False))
    }


def _in_thread(tag: Tag, threads: set[int]) -> bool:
    """Whether `tag` is a comment thread or inside one: a long reader's comment scores like
    a paragraph of the article."""
    return bool(threads) and any(id(node) in threads for node in (tag, *tag.parents))


def _dense_run(
    blocks: list[tuple[Tag, int, int, bool]], core: Tag, headline: Headline | None
) -> tuple[Tag, Tag, int] | None:
    """(first, last, net characters) of the run of text blocks, in document order, with the
    most paragraph text net of links and short bits: the maximum-sum run (Kadane's
    algorithm). A block inside a box named like boilerplate (a promo bar, the comments)
    counts against the run unless that box holds `core`: such boxes stay on the page when
    they hold real paragraphs, and the run must not take them for the article going on.
    When `core` follows the `headline` or holds it, so does the run: blocks before the
    headline, or outside the layout table cell that holds both, count against it (the
    columns of a portal around a short article)."""
    holders = {id(tag) for tag in (core, *core.parents)}
    span = anchor.article_span(core, headline) if headline is not None else None
    order = headline.order if headline is not None else {}
    boxed: dict[int, bool] = {}  # per tag: inside a boilerplate box that is no holder
    start: Tag | None = None
    total = top_sum = 0
    top = None
    for block, chars, link_chars, cut in blocks:
        if (
            chars >= MIN_PARAGRAPH_CHARS
            and link_chars < rules.NET_MAX_LINKS * chars
            and not cut
            and not _in_boilerplate_box(block, holders, boxed)
            and (span is None or span[0] < order.get(id(block), -1) <= span[1])
        ):
            gain = chars - link_chars
        else:
            gain = -max(chars, rules.NET_SHORT_PENALTY)
        if total <= 0:
            start, total = block, 0
        total += gain
        if total > top_sum:
            top_sum, top = total, (start, block, total)
    return top


def _in_boilerplate_box(node: Tag, holders: set[int], boxed: dict[int, bool]) -> bool:
    """Whether `node` or an ancestor that is not in `holders` has a boilerplate hint;
    answers are kept in `boxed` for the nodes walked, so each tag is judged once."""
    walked = []
    verdict = False
    current: Tag | None = node
    while isinstance(current, Tag) and id(current) not in holders:
        known = boxed.get(id(current))
        if known is not None:
            verdict = known
            break
        walked.append(current)
        if _hint(current) < 0:
            verdict = True
            break
        current = current.parent
    for tag in walked:
        boxed[id(tag)] = verdict
    return verdict


def _widen(best: Tag, prose: dict[int, list[int]], ceiling: Tag | None = None) -> Tag:
    """The ancestor of `best` that holds the whole article when it spans sibling sections.

    Scoring credits a paragraph to its nearest containers, so an article cut into blocks
    (page builders, h2 sections, one div per paragraph) is won by one block. Climb while an
    ancestor adds prose (long blocks, few links, little short text such as buttons and
    teasers) and take the highest one that added a real share, up to `ceiling` if given."""
    none = (0, 0, 0, 0)
    node = widest = best
    # Only boxes that add text count as levels: design systems wrap a section in a dozen
    # boxes that each hold just the one inside.
    levels = 0
    while levels < WIDEN_LEVELS:
        parent = node.parent
        if not isinstance(parent, Tag) or parent.name in ("[document]", "html"):
            break
        if node.name in LAYOUT_CELLS or node is ceiling:
            break  # the other cells of a layout table are columns of the page, not sections
        chars, links, everything, _ = prose.get(id(parent), none)
        mine, my_links, my_everything, _ = prose.get(id(node), none)
        added, added_links = chars - mine, links - my_links
        levels += everything > my_everything
        if added > WIDEN_GAIN * prose.get(id(widest), none)[0]:
            if (
                added_links > WIDEN_MAX_LINKS * added
                or added < WIDEN_MIN_PROSE * (everything - my_everything)
                or _hint(parent) < 0
            ):
                break  # what it adds is links, short bits or a box named like boilerplate
            widest = parent
        node = parent
    return widest


def _text_blocks(soup: BeautifulSoup) -> Iterator[tuple[Tag, int, int, int, bool, str]]:
    """(block, characters, characters in links, commas, cut short, its text if short) for
    each element that directly holds text, counting text inside inline children (a, b,
    span...) as its own; "cut short" is a block that ends in an ellipsis, as teasers do."""
    blocks: dict[int, list] = {}
    # The walk itself, not find_all(string=True): that tests every node through a SoupStrainer.
    for string in soup.descendants:
        if not isinstance(string, NavigableString) or isinstance(string, _NOT_TEXT):
            continue
        text = string.strip()
        if not text:
            continue
        node, in_link = string.parent, False
        while node.name not in BLOCK_TAGS and isinstance(node.parent, Tag):
            in_link = in_link or node.name == "a"
            node = node.parent
        entry = blocks.setdefault(id(node), [node, 0, 0, 0, []])
        entry[1] += len(text)
        entry[2] += len(text) if in_link else 0
        entry[3] += text.count(",") + text.count("，") + text.count("、")
        entry[4].append(text)
    for node, chars, link_chars, commas, texts in blocks.values():
        short = " ".join(texts) if chars < rules.STAMP_LINE_MAX_CHARS else ""
        yield node, chars, link_chars, commas, texts[-1].endswith(_ELLIPSES), short


def _ancestors(node: Tag | NavigableString, n: int) -> Iterator[Tag]:
    parent = node.parent
    for _ in range(n):
        if not isinstance(parent, Tag) or parent.name == "[document]":
            return
        yield parent
        parent = parent.parent


# --- 3. clean ----------------------------------------------------------------------------


def _clean(root: Tag, core: Tag | None) -> None:
    """Drop link lists and labelled boilerplate boxes inside the chosen container, but not
    a box that holds `core`, the best-scored container."""
    total = _text_len(root)
    tags = root.find_all(True)
    holders = _article_body_holders(tags)
    if core is not None:
        holders.update(id(tag) for tag in (core, *core.parents))
    holders |= _quoting(tags)
    for tag in tags:
        if (
            not _gone(tag)
            and _hint(tag) < 0
            and id(tag) not in holders
            # a wrapper of most of the text is no box, unless it says it holds comments
            and (_text_len(tag) < 0.5 * total or _has_token(tag, rules.COMMENT_HINTS))
        ):
            tag.decompose()
    chars, links = _measure(root)
    tags = [tag for tag in tags if not _gone(tag)]
    doomed: dict[int, Tag] = {}
    for tag in tags:
        if tag.name not in _LINK_LIST_TAGS:
            continue
        length = chars.get(id(tag), 0)
        if tag.name in ("ul", "ol") and _is_teaser_list(tag, chars, links):
            doomed[id(tag)] = tag
            continue
        if not length or links.get(id(tag), 0) <= 0.5 * length:
            continue
        if _is_linked_prose(tag, length, links):  # but not the pop-ups of links inside it
            doomed.update((id(box), box) for box in _link_boxes(tag, chars, links))
        else:
            doomed[id(tag)] = tag
    for label in tags:
        if (
            label.name not in _LABEL_TAGS
            or id(label) in doomed
            or not 0 < chars.get(id(label), 0) < 80
        ):
            continue  # a label is short, and not empty
        text = label.get_text(" ", strip=True).lower().rstrip(":")
        heading = rules.names_a_box(text)
        if label.name in _COMMENTS_HEADINGS and rules.COMMENTS_HEADING.fullmatch(text):
            doomed.update((id(t), t) for t in _thread_after(label, holders))
        elif (
            text
            and len(text) < 40
            and (heading or _starts_with_phrase(text))
            and not _opens_sentence(label)
        ):
            box = label.parent
            if links.get(id(label), 0):  # "Related: <a>...</a>": the label is the teaser
                doomed[id(label)] = label
            elif isinstance(box, Tag) and box is not root and chars.get(id(box), 0) < 400:
                doomed[id(box)] = box
            else:
                doomed[id(label)] = label
                if heading:  # such as "See also" or "More great stories", not a caption
                    doomed.update((id(t), t) for t in _teasers_after(label, links, holders))
    for tag in doomed.values():
        if not _gone(tag):
            tag.decompose()


def _opens_sentence(label: Tag) -> bool:
    """Whether a bold or heading word is the start of a sentence that runs on after it
    ("<b>Источник</b> в мэрии сообщил…", "<b>Главное</b> — не паниковать"), not a label:
    no colon, and the text after it goes on in lowercase."""
    if label.name in BLOCK_TAGS or label.get_text().rstrip().endswith(":"):
        return False  # a block of its own ("<p>Теги</p><p>мост, ремонт</p>") is a label
    after = label.next_sibling
    while isinstance(after, NavigableString) and not after.strip():
        after = after.next_sibling
    if after is None:
        return False
    rest = after.get_text() if isinstance(after, Tag) else str(after)
    rest = rest.lstrip(" \t\n\xa0—–-,")
    return rest[:1].islower()


def _is_teaser_list(tag: Tag, chars: dict[int, int], links: dict[int, int]) -> bool:
    """Whether a list is of teasers: most of its items (TEASER_LIST_MIN_ITEMS or more) a
    linked headline and a lead cut short with an ellipsis, whatever share is in links."""
    items = [li for li in tag.find_all("li", recursive=False) if chars.get(id(li), 0)]
    if len(items) < rules.TEASER_LIST_MIN_ITEMS:
        return False
    teasers = sum(
        1 for li in items if links.get(id(li), 0) and li.get_text().rstrip().endswith(_ELLIPSES)
    )
    return teasers >= rules.TEASER_LIST_MIN_ITEMS and teasers > len(items) / 2


def _is_linked_prose(tag: Tag, length: int, links: dict[int, int]) -> bool:
    """Whether a paragraph mostly in links is still a sentence of the article: its own
    words run on for a clause and it ends as a sentence does ("The suspect was <a>sentenced
    to life</a>.", a name whose link opens a pop-up of headlines)."""
    return (
        tag.name == "p"
        and length - links.get(id(tag), 0) >= MIN_PARAGRAPH_CHARS
        and tag.get_text().rstrip().endswith(_SENTENCE_STOPS)
    )


def _link_boxes(para: Tag, chars: dict[int, int], links: dict[int, int]) -> Iterator[Tag]:
    """The innermost inline boxes in a paragraph that hold nothing but several links: a
    pop-up card of headlines on a name, which the page shows only on hover."""
    boxes = [
        box
        for box in para.find_all("span")
        if chars.get(id(box), 0)
        and links.get(id(box), 0) >= chars[id(box)]
        and len(box.find_all("a")) > 2
    ]
    outer = {id(parent) for box in boxes for parent in box.parents}
    yield from (box for box in boxes if id(box) not in outer)


def _thread_after(label: Tag, holders: set[int]) -> Iterator[Tag]:
    """A comments heading and the boxes after it, up to one that holds the article."""
    yield label
    for sibling in label.next_siblings:
        if isinstance(sibling, Tag):
            if id(sibling) in holders:
                return
            yield sibling


def _teasers_after(label: Tag, links: dict[int, int], holders: set[int]) -> Iterator[Tag]:
    """The list or run of teasers that follow a label such as "See also": boxes with links,
    or headlines (short, with no full stop), up to the next heading or the first other
    sibling."""
    for sibling in label.next_siblings:
        if isinstance(sibling, NavigableString):
            if sibling.strip():
                return
            continue
        if sibling.name in HEADINGS or id(sibling) in holders:
            return
        if sibling.name in ("ul", "ol") or links.get(id(sibling), 0):
            yield sibling
            continue
        text = sibling.get_text(" ", strip=True)
        if len(text) < rules.HEADLINE_MAX_CHARS and not text.endswith(_SENTENCE_STOPS):
            yield sibling
        elif text:
            return


def _measure(root: Tag) -> tuple[dict[int, int], dict[int, int]]:
    """Characters of text, and of text in links, under each tag of `root`: one pass over
    its strings instead of one per tag asked about."""
    chars: dict[int, int] = {}
    links: dict[int, int] = {}
    for string in _strings(root):
        length = len(string.strip())
        if not length:
            continue
        in_link = False
        node = string.parent
        while node is not None:
            key = id(node)
            in_link = in_link or node.name == "a"
            chars[key] = chars.get(key, 0) + length
            if in_link:
                links[key] = links.get(key, 0) + length
            if node is root:
                break
            node = node.parent
    return chars, links


def _drop_ticker_tail(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Without the run of timestamped headlines (a news ticker) that ends a body, and the
    few short blocks after it (rules.TICKER_TRAILING_BLOCKS)."""
    for trailing in range(rules.TICKER_TRAILING_BLOCKS + 1):
        end = len(blocks) - trailing
        if trailing and (end < 1 or len(blocks[end][0]) >= rules.PHRASE_BLOCK_MAX_CHARS):
            break  # what follows the ticker is no short line
        start = _ticker_start(blocks, end)
        if start is not None:
            return blocks[:start]
    return blocks


def _ticker_start(blocks: list[tuple[str, str]], end: int) -> int | None:
    """Where the ticker that ends at `end` starts, if there is one. An item is a short block
    that opens or closes with a stamp, or a short block after a block that is only a stamp
    (`<span>14:35</span><p>Headline</p>`)."""
    items = 0
    while end and len(blocks[end - 1][0]) < rules.TICKER_ITEM_MAX_CHARS:
        if end > 1 and _is_stamp(blocks[end - 2][0]):
            end -= 2
        elif rules.TICKER_STAMP.match(blocks[end - 1][0]) or rules.TICKER_END_STAMP.search(
            blocks[end - 1][0]
        ):
            end -= 1
        else:
            break
        items += 1
    return end if items >= rules.TICKER_MIN_ITEMS else None


def _drop_contact_tail(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Without the closing lines that tell how to reach the author or the desk ("Email
    Jane at jane@example.com or follow her @jane", "Smith contributed to this report")."""
    end = len(blocks)
    while (
        end > 1
        and len(blocks[end - 1][0]) < rules.CONTACT_LINE_MAX_CHARS
        and rules.CONTACT_LINE.search(blocks[end - 1][0])
    ):
        end -= 1
    return blocks[:end]


def _is_stamp(text: str) -> bool:
    """Whether `text` is a time or date and nothing else ("14:57 16.01.2012", "17 января
    2012 г. (13:17)")."""
    rest, found = text, False
    while match := rules.TICKER_STAMP.match(rest):
        rest, found = rest[match.end() :], True
    return found and rules.STAMP_REST.fullmatch(rest) is not None


def _is_boilerplate_text(text: str) -> bool:
    length = len(text)
    if length >= rules.NOTICE_BLOCK_MAX_CHARS:
        return False
    if _is_date_only(text):
        return True
    low = text.lower()
    if length >= rules.PHRASE_BLOCK_MAX_CHARS:
        return bool(_NOTICE.search(low))
    return (
        bool(_MARKER.search(low))
        or _starts_with_phrase(low)
        or bool(rules.GALLERY_COUNTER.fullmatch(text))
    )


def _is_date_only(text: str) -> bool:
    """A dateline: a short block of nothing but a date and/or a time."""
    return (
        len(text) < rules.DATE_ONLY_MAX_CHARS
        and rules.DATE_ONLY_BLOCK.fullmatch(text) is not None
        and looks_like_date(text)
    )


def _starts_with_phrase(low: str) -> bool:
    """True if `low` opens with a whole boilerplate phrase ("advert", not "advertisers"; a
    phrase that ends in a space or colon, "фото ", ends a word itself)."""
    phrases = _PHRASES_BY_FIRST.get(low[:1], ())
    return low.startswith(phrases) and any(
        low.startswith(p) and (not p[-1].isalpha() or not low[len(p) : len(p) + 1].isalpha())
        for p in phrases
    )


# --- 4. render ---------------------------------------------------------------------------


def _render(root: Tag, url: str | None) -> Iterator[tuple[str, str]]:
    """(text, html) per block: paragraphs, headings, list items, quotes."""
    text: list[str] = []
    html: list[str] = []
    wrapper: list[str | None] = ["p"]  # the block's HTML element; None: not kept

    def flush() -> tuple[str, str] | None:
        """The block read so far, if it has text and is kept; the next one starts empty."""
        block = " ".join("".join(text).split())  # as _WS.sub(" ", ...).strip(), faster
        tag = wrapper[-1]
        done = (block, f"<{tag}>{''.join(html)}</{tag}>") if block and tag else None
        text.clear()
        html.clear()
        return done

    # Explicit stack of (node, entering) so deep trees cost no recursion.
    stack: list[tuple[Tag | NavigableString, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                text.append(node)
                html.append(escape(node))
            continue
        name = node.name
        if name in BLOCK_TAGS:
            if done := flush():
                yield done
            if entering:
                wrapper.append(_block_element(node))
        elif entering and name in INLINE_MARKUP:
            html.append(_open_inline(node, url))
        elif name in INLINE_MARKUP:
            html.append(f"</{INLINE_MARKUP[name]}>")
        if entering:
            stack.append((node, False))
            stack.extend((child, True) for child in reversed(node.contents))
        elif name in BLOCK_TAGS:
            wrapper.pop()
    if done := flush():
        yield done


def _block_element(tag: Tag) -> str | None:
    """The minimal-HTML element for a block; None for h1, the title, kept apart."""
    name = tag.name
    if name in HEADINGS:
        return HEADINGS[name]
    if name == "li":
        return "li"
    if name == "blockquote":
        return "blockquote"
    return "p"


def _open_inline(tag: Tag, url: str | None) -> str:
    name = INLINE_MARKUP[tag.name]
    if name != "a":
        return f"<{name}>"
    href = tag.get("href")
    if not isinstance(href, str) or not href.strip():
        return "<a>"
    try:
        absolute = urljoin(url or "", href.strip())
    except ValueError:  # a malformed URL ("http://[broken/") is no link
        return "<a>"
    return f'<a href="{escape(absolute)}">'
