"""Article metadata: title, authors, dates, language, section, tags, image, description,
canonical URL and site name.

Sources, strongest first: JSON-LD, OpenGraph and `article:*` meta, other meta (Dublin
Core, parsely, sailthru...), microdata, `<time datetime>`, visible bylines and dates near
the headline, the URL. For each field the first source that has a usable value wins.

The page is walked once (`_gather`): every later decision reads what that walk collected,
so a field costs no extra pass over the tree.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from scraper.extract import dates, rules
from scraper.extract.authors import (
    MAX_SIGNATURE_CHARS,
    is_bare_label,
    is_labelled,
    is_organization,
    organization_byline,
    split_byline,
    unique,
)
from scraper.extract.language import detect_language, normalize_code
from scraper.items import Article

# meta keys (name, property or itemprop, lower-cased) per field, strongest first.
TITLE_META = ("og:title", "twitter:title", "dc.title", "dcterms.title", "parsely-title",
              "sailthru.title", "headline", "title")  # fmt: skip
AUTHOR_META = ("article:author", "author", "dc.creator", "dcterms.creator", "parsely-author",
               "sailthru.author", "byl", "article.author", "cxenseparse:author")  # fmt: skip
PUBLISHED_META = ("article:published_time", "og:published_time", "article:published",
                  "published_time", "datepublished", "parsely-pub-date", "sailthru.date",
                  "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "date",
                  "dc.date.created", "dcterms.created", "pubdate", "publishdate",
                  "publish-date", "publication_date", "article.published",
                  "cxenseparse:recs:publishtime")  # fmt: skip
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "modified_time",
                 "dcterms.modified", "dc.date.modified", "last-modified", "article.updated",
                 "lastmod")  # fmt: skip
SECTION_META = ("article:section", "parsely-section", "sailthru.section", "section",
                "article.section", "dc.subject", "category")  # fmt: skip
TAG_META = ("article:tag", "parsely-tags", "sailthru.tags", "news_keywords", "keywords",
            "dc.subject.keywords")  # fmt: skip
IMAGE_META = ("og:image:secure_url", "og:image", "og:image:url", "twitter:image",
              "twitter:image:src", "parsely-image-url", "sailthru.image.full",
              "thumbnail", "image")  # fmt: skip
DESCRIPTION_META = ("og:description", "description", "twitter:description",
                    "dc.description", "dcterms.abstract", "sailthru.description")  # fmt: skip
SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title",
             "dc.publisher", "dcterms.publisher")  # fmt: skip
LANGUAGE_META = ("og:locale", "content-language", "dc.language", "dcterms.language",
                 "language", "inlanguage")  # fmt: skip

# JSON-LD types that describe the article itself, and those that are organisations.
_ARTICLE_TYPE = re.compile(r"(Article|BlogPosting|Report|Posting)$")
_ORG_TYPE = re.compile(r"Organi[sz]ation$|^(NewsMediaOrganization|Corporation|Brand)$")


class _Words:
    """A case-insensitive search for a pattern written in lowercase ASCII, for the class,
    id and href of every element. ASCII text (nearly all of it) is lowercased and searched
    case-sensitively, which re does several times faster than with IGNORECASE (it skips
    ahead by the words' first letters); other text is searched with IGNORECASE. The answer
    is the same either way."""

    def __init__(self, pattern: str) -> None:
        if not pattern.isascii() or pattern != pattern.lower():
            raise ValueError(f"not a lowercase ASCII pattern: {pattern}")
        self.pattern = pattern
        self._exact = re.compile(pattern)
        self._any_case = re.compile(pattern, re.IGNORECASE)

    def search(self, text: str) -> bool:
        if text.isascii():
            return self._exact.search(text.lower()) is not None
        return self._any_case.search(text) is not None


# Elements whose class or id marks a byline or a visible date.
_BYLINE_CLASS = _Words(r"byline|author|writ|avtor|autor|credit")
_DATE_CLASS = _Words(r"date|time|publish|posted|updated|dateline")
_NOT_BYLINE_CLASS = _Words(r"comment|avatar|bio|related|share")
# Visible section and tag links: a tag archive in the link's path; a section link by its
# own or its container's class (the "kicker" above a headline, a category or rubric line).
_TAG_PATH = _Words(
    r"/(tags?|topics?|themes?|tema|teg[iy]?|metk[ai]|mitk[ai]|schlagwort|etiquetas?)/"
)
# A link to an author's page (WordPress /author/slug/, /authors/, ?author=...).
_AUTHOR_PATH = re.compile(
    r"/(?:authors?|autor[ey]?|avtor[yi]?|blog-authors?|writers?|contributors?|columnists?)/"
    r"[^/?#]|[?&]author=",
    re.IGNORECASE,
)
_SECTION_CLASS = _Words(r"kicker|rubric|categor|section|cat-links|eyebrow")
_TITLE_SEPARATORS = (" | ", " - ", " — ", " – ", " :: ", " · ", " » ", " // ", " / ", " || ")
# A title part is the site's name when it is the host's name written as words: at least
# this many letters, and this share of the longer of the two.
SITE_NAME_CHARS = 4
SITE_NAME_SHARE = 0.6
_NOT_LETTERS = re.compile(r"[\W_]+")
_TITLE_WORDS = re.compile(r"\w+")
# What a headline element may hold besides the headline: kicker, date, byline, tags.
_TAGS_CLASS = re.compile(r"\btags?\b", re.IGNORECASE)
_IN_HEADING = re.compile(
    "|".join(r.pattern for r in (_SECTION_CLASS, _DATE_CLASS, _BYLINE_CLASS, _TAGS_CLASS)), re.I
)
# A dateline a site appends to or puts before its headlines: "04.01.12 15:59", "2023-12-05".
_TITLE_DATELINE = re.compile(
    r"^\s*\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?:,?\s+\d{1,2}:\d{2})?\s*[|:–—-]?\s*"
    r"|\s*[|:–—-]?\s*\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?:,?\s+\d{1,2}:\d{2})?\s*$"
)
# A date marked as an update is no publication date.
_UPDATED = re.compile(r"updat|modif|обновл|оновл|изменен|змінен", re.IGNORECASE)
# How much of the text before a shown date may hold its label ("Last updated:").
UPDATE_LABEL_CHARS = 30
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_YEAR_OR_WORD = re.compile(r"(?:19|20)\d{2}|[^\W\d_]{3,}")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# A string field in JSON too broken to parse; the value ends at a quote followed by the
# end of the member, so quotes inside a headline ("Mayor: "We heard you"...") survive.
_JSON_PAIR = re.compile(
    r'"(headline|name|datePublished|dateModified|description|inLanguage|articleSection|'
    r'image|url)"\s*:\s*"(.*?)"(?=\s*(?:[,}\]]|$))',
    re.DOTALL,
)
# Tags whose class or id never marks a byline or a date (they wrap the whole article).
_NO_MARKER_TAGS = {"meta", "link", "html", "body", "article", "main"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Headline elements by rank: headings, then (all alike) the bold or large boxes of old
# layouts, a box styled large or bold among them.
HEADING_RANK = {"h1": 0, "h2": 1, "h3": 2, "h4": 3}
_BOX_RANK = len(HEADING_RANK)
_HEADLINE_BOXES = {"b", "strong", "font", "big", "th"}
_LARGE_STYLE = re.compile(r"font-(?:size|weight)", re.IGNORECASE)
# How many nodes (elements and strings) after a headline are read for the text it opens.
OPENS_TEXT_NODES = 160
# Bylines and dates inside these belong to other articles or to readers.
_ELSEWHERE_TAGS = {"aside", "footer", "nav"}
_ELSEWHERE_CLASS = re.compile(r"sidebar|related|comment|recommend|popular|latest|teaser", re.I)
# How far (in elements) from the headline a byline or visible date may sit.
NEAR_HEADLINE = 60
# A date this close to the headline (in elements) is the one the page shows its reader...
SHOWN_NEAR = 25
# ...and so is a short text this close that is only a date, whatever its markup.
BESIDE_HEADLINE = 10
# More keywords than this are stuffing, not tags.
MAX_TAGS = 25
# A byline's label alone ("Written by:", "Підготувала:") is no longer than this.
MAX_LABEL_CHARS = 40
# Bylines of one article sit this close together (in elements).
BYLINE_SPREAD = 6
# The first author sources (JSON-LD, meta, microdata) are fields, not visible text.
STATED_AUTHOR_SOURCES = 3
# A single <h1> this long (in words) is the headline, over a differing structured title.
HEADLINE_WORDS = 3
# A string this long after a headline is prose, not a date, byline or caption line.
MIN_PROSE_CHARS = 25
# Only this many byline or date candidates are read: reading costs a get_text each.
MAX_CANDIDATES = 8


@dataclass
class _Page:
    """What one walk over the tree found, in document order."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    ld: list[dict] = field(default_factory=list)  # every JSON-LD node, flattened
    itemprops: dict[str, list[Tag]] = field(default_factory=dict)
    links: dict[str, list[Tag]] = field(default_factory=dict)  # by rel
    times: list[tuple[int, Tag]] = field(default_factory=list)
    h1: list[tuple[int, Tag]] = field(default_factory=list)
    h2: list[Tag] = field(default_factory=list)
    bylines: list[tuple[int, Tag]] = field(default_factory=list)
    author_links: list[tuple[int, Tag]] = field(default_factory=list)  # to author pages
    tag_links: list[Tag] = field(default_factory=list)
    section_links: list[Tag] = field(default_factory=list)
    date_texts: list[tuple[int, Tag]] = field(default_factory=list)
    title_tag: str | None = None
    html_lang: str | None = None
    elements: list[Tag] = field(default_factory=list)  # every element, in document order


def _clean(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    text = " ".join(html.unescape(text).split())
    return text or None


def _gather(soup: BeautifulSoup) -> _Page:
    page = _Page()
    page.elements = soup.find_all(True)
    for index, el in enumerate(page.elements):
        attrs, name = el.attrs, el.name
        if name == "meta":
            key = attrs.get("property") or attrs.get("name") or attrs.get("http-equiv")
            content = _clean(attrs.get("content"))
            if isinstance(key, str) and content:
                page.meta.setdefault(key.strip().lower(), []).append(content)
        elif name == "script":
            if "ld+json" in str(attrs.get("type", "")).lower():
                page.ld.extend(_flatten(_load_json(el.string or el.get_text())))
            continue
        elif name in ("link", "a"):
            rels = [rel.lower() for rel in attrs.get("rel") or ()]
            for rel in rels:
                page.links.setdefault(rel, []).append(el)
            if name == "a":
                _visible_taxonomy(page, el, rels)
                if _AUTHOR_PATH.search(str(attrs.get("href", ""))):
                    page.author_links.append((index, el))
        elif name == "time":
            page.times.append((index, el))
        elif name == "h1":
            page.h1.append((index, el))
        elif name == "h2":
            page.h2.append(el)
        elif name == "title" and page.title_tag is None:
            page.title_tag = _clean(el.get_text())
        elif name == "html":
            page.html_lang = attrs.get("lang") or attrs.get("xml:lang")
        if prop := attrs.get("itemprop"):
            for key in str(prop).split():
                page.itemprops.setdefault(key, []).append(el)
        if ("class" in attrs or "id" in attrs) and name not in _NO_MARKER_TAGS:
            # A heading's id is its own text as a slug ("written-communication"): no marker.
            slug = "" if name in _HEADINGS else str(attrs.get("id", ""))
            marker = " ".join(attrs.get("class") or ()) + " " + slug
            kind = _marker_kind(marker)
            if kind == "byline":
                page.bylines.append((index, el))
            elif kind == "date":
                page.date_texts.append((index, el))
    return page


@lru_cache(maxsize=16384)
def _marker_kind(marker: str) -> str | None:
    """Do an element's class and id words mark a byline ("byline"), a date ("date") or
    neither? Cached: two in three markers repeat within a page or a site, and the searches
    cost 2 ms of a 26 ms page."""
    if _BYLINE_CLASS.search(marker) and not _NOT_BYLINE_CLASS.search(marker):
        return "byline"
    return "date" if _DATE_CLASS.search(marker) else None


def _visible_taxonomy(page: _Page, link: Tag, rels: list[str]) -> None:
    """Sort a link into the page's visible section or tag links, if it is one."""
    if "category" in rels:
        page.section_links.append(link)
        return
    if "tag" in rels or _TAG_PATH.search(str(link.get("href", ""))):
        page.tag_links.append(link)
        return
    parent = link.parent
    marker = " ".join(link.get("class") or ())
    if parent is not None:
        marker += " " + " ".join(parent.get("class") or ())
    if _SECTION_CLASS.search(marker):
        page.section_links.append(link)


def _link_texts(links: list[Tag]) -> list[str]:
    """Texts of links in the article itself, not in menus, sidebars or footers."""
    return [
        text.lstrip("#") for el in links if (text := _clean(el.get_text(" "))) and not elsewhere(el)
    ]


# --- JSON-LD ---------------------------------------------------------------------------


def _load_json(text: str | None) -> object:
    """Parse a JSON-LD block, tolerating what CMSs get wrong: comment and CDATA wrappers,
    raw newlines in strings, trailing commas, several objects in a row. When none of
    that helps, the plain string fields are pulled out one by one."""
    text = (text or "").strip()
    for junk in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        text = text.replace(junk, "")
    text = text.strip().rstrip(";")
    if not text:
        return None
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            pass
    decoder, objects, pos = json.JSONDecoder(strict=False), [], 0
    while (start := text.find("{", pos)) != -1:
        try:
            obj, pos = decoder.raw_decode(text, start)
        except ValueError:
            break
        objects.append(obj)
    if objects:
        return objects
    pairs = {key: value for key, value in _JSON_PAIR.findall(text)[::-1]}
    return {"@type": "Article", **pairs} if pairs else None


def _flatten(data: object) -> Iterator[dict]:
    """Every dict node in a JSON-LD document: arrays and `@graph`s are opened."""
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        yield from _flatten(data.get("@graph"))


def _types(node: dict) -> list[str]:
    kind = node.get("@type")
    return [str(k) for k in (kind if isinstance(kind, list) else [kind]) if k]


def _is_article(node: dict) -> bool:
    return any(_ARTICLE_TYPE.search(t) for t in _types(node))


def _is_org(node: object) -> bool:
    return isinstance(node, dict) and any(_ORG_TYPE.search(t) for t in _types(node))


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _ld_text(value: object) -> str | None:
    """A JSON-LD value as text: a string, the first of a list, or a node's name."""
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("name") or item.get("@value")
        if text := _clean(item if isinstance(item, str) else None):
            return text
    return None


def _ld_url(value: object) -> str | None:
    """A URL from a JSON-LD image/url value: string, ImageObject, or a list of them."""
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("url") or item.get("contentUrl") or item.get("@id")
        if isinstance(item, str) and item.strip():
            return item.strip()
    return None


@dataclass
class _LD:
    """The article node of the page's JSON-LD and the nodes it refers to."""

    article: dict
    by_id: dict[str, dict]
    breadcrumbs: list[str]

    @classmethod
    def of(cls, nodes: list[dict]) -> _LD:
        by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
        articles = [n for n in nodes if _is_article(n)]
        # Prefer the node that names a headline: pages also describe related articles.
        article = next((n for n in articles if n.get("headline")), None)
        article = article or (articles[0] if articles else {})
        if not article:  # some sites describe the article only as a WebPage
            article = next((n for n in nodes if "WebPage" in _types(n)), {})
        crumbs = next((n for n in nodes if "BreadcrumbList" in _types(n)), {})
        names = []
        for item in _as_list(crumbs.get("itemListElement")):
            if isinstance(item, dict):
                names.append(_ld_text(item.get("name") or item.get("item")))
        return cls(article, by_id, [n for n in names if n])

    def get(self, key: str) -> object:
        value = self.article.get(key)
        # "@id" references into an @graph are resolved to the node they name.
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.by_id.get(value["@id"], value)
        if isinstance(value, list):
            return [
                self.by_id.get(v["@id"], v) if isinstance(v, dict) and set(v) == {"@id"} else v
                for v in value
            ]
        return value

    def text(self, key: str) -> str | None:
        return _ld_text(self.get(key))


# --- helpers over the gathered page ---------------------------------------------------


def _meta_first(page: _Page, keys: Iterable[str]) -> str | None:
    for key in keys:
        for value in page.meta.get(key, ()):
            return value
    return None


def _meta_all(page: _Page, keys: Iterable[str]) -> Iterator[str]:
    for key in keys:
        yield from page.meta.get(key, ())


def _prop_value(el: Tag) -> str | None:
    """The value of a microdata property, as the microdata spec reads it."""
    for attr in ("content", "datetime", "href", "src"):
        if isinstance(value := el.get(attr), str) and value.strip():
            return value.strip()
    return _clean(el.get_text(" "))


def _prop(page: _Page, key: str) -> str | None:
    return next((v for el in page.itemprops.get(key, ()) if (v := _prop_value(el))), None)


def _near(
    candidates: list[tuple[int, Tag]], anchor: int | None, window: int | None = NEAR_HEADLINE
) -> list[Tag]:
    """Candidates closest to the headline first (within `window` elements of it, if
    given); without a headline, in page order."""
    close = [
        (abs(i - anchor) if anchor is not None else i, el)
        for i, el in candidates
        if anchor is None or window is None or abs(i - anchor) <= window
    ]
    close.sort(key=lambda pair: pair[0])
    found: list[Tag] = []
    for _, el in close:
        if len(found) == MAX_CANDIDATES:
            break
        if not elsewhere(el):
            found.append(el)
    return found


def elsewhere(el: Tag) -> bool:
    """Inside a sidebar, a related-stories list, the comments or the page footer (an
    article's own footer, where tags often sit, is part of the article)."""
    for parent in el.parents:
        # The body's classes describe the page's layout ("nv-sidebar-right", "no-sidebar").
        if parent.name in ("article", "body"):
            return False
        if parent.name == "footer" and parent.find_parent("article") is not None:
            continue
        if parent.name in _ELSEWHERE_TAGS:
            return True
        if _ELSEWHERE_CLASS.search(" ".join(parent.get("class") or ())):
            return True
    return False


def _split_list(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(_clean(part) or "" for part in re.split(r"[,;]", value))
    return unique([v for v in out if v])


def _tags(values: Iterable[str], not_tags: Iterable[str | None]) -> list[str]:
    """A tag list, or [] when the source is keyword stuffing: every word of the text
    ("В,последние,годы,...") rather than topics."""
    tags = _split_list(values)
    if len(tags) > MAX_TAGS or any(len(t) <= 2 and t.islower() for t in tags):
        return []
    drop = {n.casefold() for n in not_tags if n}
    return [t for t in tags if t.casefold() not in drop]


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    try:
        return urljoin(base, url) if base else url
    except ValueError:  # not a URL at all ("http://[broken/"): none is better than junk
        return None


def _host_labels(url: str | None) -> list[str]:
    """The names in a URL's host, without "www" and the top-level domain."""
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:  # not a URL ("http://[broken/")
        return []
    return [label for label in host.split(".")[:-1] if label != "www"]


def _names_site(part: str, site: str | None, hosts: list[str]) -> bool:
    """Is a part of a `<title>` the site's name: its og:site_name, or its host's name
    written as words ("Artlyst" on artlyst.com, "DianaHR" on getdianahr.com)?"""
    if site and part.casefold() == site.casefold():
        return True
    squashed = _NOT_LETTERS.sub("", part.casefold())
    return len(squashed) >= SITE_NAME_CHARS and any(
        (squashed in host or host in squashed)
        and min(len(host), len(squashed)) / max(len(host), len(squashed)) >= SITE_NAME_SHARE
        for host in hosts
    )


def _strip_site(
    title: str, headings: list[str], site: str | None, hosts: list[str], *, guess: bool
) -> str:
    """`title` without the site's name or a dateline around it: the part that is a
    heading on the page, else the parts that are not the site name; with `guess`, else
    the longest part."""
    title = _TITLE_DATELINE.sub("", title) or title
    for sep in _TITLE_SEPARATORS:
        if sep not in title:
            continue
        parts = [p.strip() for p in title.split(sep)]
        if heading := next((p for p in parts if p in headings), None):
            return heading
        keep = [p for p in parts if not _names_site(p, site, hosts)]
        if keep and keep != parts:
            return sep.join(keep)
        if guess:  # "Headline :: Site :: Slogan", but "News - Headline"
            return parts[0] if len(parts[0].split()) >= 3 else max(parts, key=len)
    return title


def _heading(el: Tag) -> str | None:
    """A heading's text without the kicker, date or byline inside it (`<h1><span
    class="kicker">Exclusive</span> Headline</h1>`): they label the story, they are no
    part of its headline."""
    return _text_without(el, el.find_all(class_=_IN_HEADING))


def _text_without(el: Tag, parts: list[Tag]) -> str | None:
    """The text of `el` without the text of `parts` (elements inside it)."""
    if not parts:
        return _clean(el.get_text(" "))
    skip = {id(s) for part in parts for s in part.find_all(string=True)}
    return _clean(" ".join(s for s in el.find_all(string=True) if id(s) not in skip))


def _extends(title: str, heading: str) -> bool:
    """Does `title` start with `heading`, then go on after a space or punctuation?"""
    return title.startswith(heading) and not title[len(heading) : len(heading) + 1].isalnum()


def box_text(tag: Tag) -> str | None:
    """What a headline-like element says: a heading's text, or the text of a box that holds
    nothing else (an old layout's bold or large cell); None for a box with markup inside
    (`<b>` in a box is a box of its own)."""
    if tag.name in _HEADINGS:
        return tag.get_text()
    contents = tag.contents
    if len(contents) != 1 or type(contents[0]) is not NavigableString:
        return None
    return contents[0]


def is_link(tag: Tag) -> bool:
    """Is the element a link or in or around one: a teaser, a section's or the logo's link?"""
    return tag.find_parent("a") is not None or tag.find("a") is not None


def _beside_site(title: str, site: str | None, hosts: list[str]) -> list[str]:
    """The parts of a title ("Section - Site") that do not name the site."""
    parts = [title]
    for sep in _TITLE_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [part for part in parts if not _names_site(part.strip(), site, hosts)]


def _generic(title: str, site: str | None, hosts: list[str]) -> bool:
    """Is a stated title the site's or a section's, not the story's: the site's name, or a
    few generic words ("Новости дня", "Latest news") with or without it?"""
    found = [
        word
        for part in _beside_site(title, site, hosts)
        for word in _TITLE_WORDS.findall(part.casefold())
    ]
    return len(found) <= rules.GENERIC_TITLE_MAX_WORDS and all(
        word in rules.GENERIC_TITLE_WORDS for word in found
    )


def _within(title: str, text: str) -> bool:
    """Does `title` hold `text` whole, at its start or its end, set apart from the other
    words by punctuation ("NEWS.BCM.RU :: Headline", "Headline » Site", "Headline, 2025"),
    not running on into them ("Headline goes on")?"""
    if title == text:
        return True
    if title.startswith(text):
        rest = title[len(text) :].lstrip()
    elif title.endswith(text):
        rest = title[: -len(text)].rstrip()[::-1]
    else:
        return False
    return bool(rest) and not rest[0].isalnum()


def _repeated(title: str, page: _Page, site: str | None, hosts: list[str]) -> str | None:
    """The heading or headline box of the page that the stated title holds beside the
    site's or a section's name: one that is no link first (a blog links its headline to
    the post), then the highest-ranked heading, then the longest; a box only when no
    heading is held, and only as the title's larger part (a box of the site's name is
    not). No sidebar box or generic name."""
    found: tuple[bool, int, int, str] | None = None
    for el in page.elements:
        if el.name not in rules.HEADLINE_TAGS:
            continue
        text = box_text(el)
        # A box must be the title's larger part; a heading says it is the headline.
        least = rules.HEADLINE_MIN_CHARS if el.name in _HEADINGS else len(title) / 2
        # (the cheap test first: most boxes are too short to be the headline)
        if text is None or len(text) < max(least, rules.HEADLINE_MIN_CHARS):
            continue
        text = _heading(el) if el.name in _HEADINGS else _clean(text)
        if not text or len(text) < least:
            continue
        key = (is_link(el), HEADING_RANK.get(el.name, _BOX_RANK), -len(text), text)
        if (
            (found is None or key < found)
            and _within(title, text)
            and not elsewhere(el)
            and not _generic(text, site, hosts)
        ):
            found = key
    return found[3] if found else None


def _opens_text(el: Tag) -> bool:
    """Does prose follow the element, past a few short lines (a date, a byline, a caption):
    is it the headline of the text after it rather than of a box of links?"""
    last: Tag | NavigableString = el
    while isinstance(last, Tag) and last.contents:
        last = last.contents[-1]
    prose = short = 0
    for n, node in enumerate(last.next_elements):
        if n == OPENS_TEXT_NODES or short > rules.HEADLINE_REACH_BLOCKS:
            return False
        if type(node) is not NavigableString or not (text := node.strip()):
            continue
        if len(text) < MIN_PROSE_CHARS or node.find_parent("a") is not None:
            short += prose == 0  # short lines count only before the text starts
            continue
        prose += len(text)
        if prose >= rules.HEADLINE_BODY_MIN_CHARS:
            return True
    return False


def _page_headline(page: _Page, site: str | None, hosts: list[str]) -> str | None:
    """The story's own headline, when the stated title is generic: the first heading (h1,
    then h2, h3), else bold or large box, that opens the article's text; neither a link,
    nor in a sidebar, nor generic itself."""
    ranked = []
    for index, el in enumerate(page.elements):
        rank = HEADING_RANK.get(el.name)
        if rank is None and (
            el.name in _HEADLINE_BOXES or _LARGE_STYLE.search(str(el.attrs.get("style", "")))
        ):
            rank = _BOX_RANK
        if rank is not None:
            ranked.append((rank, index, el))
    ranked.sort(key=lambda item: item[:2])
    for rank, _, el in ranked:
        text = _heading(el) if rank < _BOX_RANK else _clean(box_text(el))
        if (
            text
            and rules.HEADLINE_MIN_CHARS <= len(text) <= rules.HEADLINE_MAX_CHARS
            and len(text.split()) >= HEADLINE_WORDS
            and not _generic(text, site, hosts)
            and not rules.names_a_box(text.lower())
            and not is_link(el)
            and not elsewhere(el)
            and _opens_text(el)
        ):
            return text
    return None


def _title(
    structured: Iterable[str | None], page: _Page, site: str | None, url: str | None
) -> str | None:
    """The headline: the strongest structured title, cleaned of the site name; without
    one, the heading that the `<title>` repeats, the first `<h1>`, or the `<title>`. A
    generic stated title (the site's or a section's name) gives way to the next source,
    and last to the page's own headline element."""
    h1s = [t for _, el in page.h1 if (t := _heading(el))]
    hosts = _host_labels(url)
    stated = None
    if title := next((t for t in structured if t), None):
        stated = title = _strip_site(title, h1s, site, hosts, guess=False)
        # The one headline shown on the page is what readers and citations use; the
        # structured title is often an SEO rewording of it ("Top 11 ... | 2025"). An h1
        # that is the site's name and a section ("IVONA - Секс") is no headline.
        beside = " ".join(_beside_site(h1s[0], site, hosts)) if len(h1s) == 1 else ""
        if len(h1s) == 1 and title not in h1s and len(beside.split()) >= HEADLINE_WORDS:
            return h1s[0]
        # A heading the structured title extends ("Headline, December 2025").
        extended = [h for h in h1s if len(h.split()) >= HEADLINE_WORDS and _extends(title, h)]
        if extended:
            return max(extended, key=len)
        if not _generic(title, site, hosts):
            return title
    tag = page.title_tag
    if tag and (repeated := _repeated(tag, page, site, hosts)):
        return repeated
    tag = _strip_site(tag, [], site, hosts, guess=True) if tag else None
    # The first h1 that is not generic too (a linked one: blogs link the headline to the
    # post).
    h1 = next((h for h in h1s if not _generic(h, site, hosts)), None)
    if tag and not _generic(tag, site, hosts):
        return h1 or tag
    if not stated and not tag:
        return h1
    # A generic stated title: the headline that opens the text, else that h1.
    return _page_headline(page, site, hosts) or h1 or stated or tag


# --- fields ---------------------------------------------------------------------------


def _authors(
    ld: _LD, page: _Page, anchor: int | None, site: str | None
) -> tuple[list[str], list[str]]:
    """(authors, organisations). The first source naming a person wins; organisations are
    collected from it and from stronger sources. When no source names a person, the
    credited organisations (an agency, a desk, the outlet) are the byline, and so the
    authors too: a journalist filtering by byline finds "Reuters" or "ТАСС" there."""
    orgs: list[str] = []
    house = {n.casefold() for n in (site, _ld_text(ld.get("publisher"))) if n}
    rights = (_meta_first(page, ("copyright", "dc.rights")) or "").casefold()

    def is_house(name: str) -> bool:
        return name.casefold() in house or (len(name) > 3 and name.casefold() in rights)

    def sources() -> Iterator[list[tuple[str, bool]]]:
        # Each source yields (name or byline, says it is an organisation).
        yield [
            (_ld_text(a) or "", _is_org(a)) if not isinstance(a, str) else (a, False)
            for key in ("author", "creator")
            for a in _as_list(ld.get(key))
        ]
        stated = [*_meta_all(page, AUTHOR_META), *_labelled_meta(page)]
        yield [(v, False) for v in stated if not v.startswith("http")]
        yield [
            (
                _prop(_Page(itemprops=_child_props(el)), "name") or _prop_value(el) or "",
                "Organization" in str(el.get("itemtype", "")),
            )
            for el in [*page.itemprops.get("author", ()), *page.itemprops.get("creator", ())]
        ]
        yield [(el.get_text(" "), False) for el in page.links.get("author", ())]
        yield _nearest_byline(page.bylines, anchor)
        yield _nearest_byline(page.author_links, anchor)
        yield _labelled_beside(page, anchor)

    for rank, source in enumerate(sources()):
        people = []
        for text, is_org in source:
            stated = rank < STATED_AUTHOR_SOURCES
            names = split_byline(text, stated=stated)
            if is_org:
                orgs.append(_clean(text) or "")
            elif not names and (org := organization_byline(text, stated=stated)):
                orgs.append(org)
            else:
                for name in names:
                    (orgs if is_house(name) or is_organization(name) else people).append(name)
        if people:
            people = unique(people)
            if rank < STATED_AUTHOR_SOURCES:
                people = _visible_extension(people, page, anchor) or people
            return people, unique([o for o in orgs if o])
    orgs = unique([o for o in orgs if o])
    return orgs, orgs


def _visible_extension(people: list[str], page: _Page, anchor: int | None) -> list[str] | None:
    """The labelled byline shown to the reader ("Written by A, B and C") when it names the
    page's stated authors and more: an author field often holds only the first name."""
    byline = _labelled_beside(page, anchor, under=False)
    names = unique([n for text, _ in byline for n in split_byline(text)])
    shown = [n.casefold() for n in names]
    if (
        len(names) > len(people)
        and all(any(s.endswith(p.casefold()) for s in shown) for p in people)
        # The others are people too: full names, not a company after a comma ("UiPath").
        and all(len(n.split()) >= 2 and not is_organization(n) for n in names)
    ):
        return names
    return None


def _labelled_meta(page: _Page) -> Iterator[str]:
    """Values that the page's link-preview labels call the author: `twitter:label1`
    "Written by" with `twitter:data1` (as WordPress SEO plugins write them)."""
    for n in range(1, 5):
        label = _meta_first(page, (f"twitter:label{n}",))
        if label and is_labelled(label):
            yield from page.meta.get(f"twitter:data{n}", ())


def _labelled_beside(
    page: _Page, anchor: int | None, *, under: bool = True
) -> list[tuple[str, bool]]:
    """A short text that says who wrote the article ("By Jerry Chu", "Автор: Ірина
    Коваленко"), whatever its markup: near the headline, nearest first, else (`under`)
    under it."""
    if anchor is None:
        return []
    farther = page.elements[anchor + NEAR_HEADLINE + 1 :] if under else []
    for el in [*_around(page, anchor, NEAR_HEADLINE), *farther]:
        text = _clean(el.string) if el.name not in ("script", "style") else None
        first = el.contents[0] if text is None and el.contents else None
        if isinstance(first, str) and len(first.strip()) <= MAX_LABEL_CHARS:
            text = _clean(first)  # "By <a href=...>Jane Doe</a>"
            text = _clean(el.get_text(" ")) if text and is_bare_label(text) else None
        elif text and is_bare_label(text) and el.parent is not None:
            # "<span>By</span><span>Jane Doe</span>": the label's box holds the names.
            text = _clean(el.parent.get_text(" "))
        if (
            text
            and len(text) <= MAX_SIGNATURE_CHARS
            and is_labelled(text)
            and split_byline(text)
            and not elsewhere(el)
        ):
            return [(text, False)]
    return []


def _credits(el: Tag) -> bool:
    """Does a byline element name a person or an organisation?"""
    text = el.get_text(" ")
    return bool(split_byline(text) or organization_byline(text))


def _nearest_byline(bylines: list[tuple[int, Tag]], anchor: int | None) -> list[tuple[str, bool]]:
    """The byline element nearest the headline that names someone, with the bylines
    right beside it (one author per element); farther ones belong to other articles."""
    near = _near(bylines, anchor)
    index = {id(el): i for i, el in bylines}
    first = next((el for el in near if _credits(el)), None)
    if first is None and anchor is not None:
        # None by the headline: an author box under the article (not in a sidebar).
        near = _near([(i, el) for i, el in bylines if i > anchor], anchor, window=None)
        first = next((el for el in near if _credits(el)), None)
    if first is None:
        return []
    return [
        (el.get_text(" "), False)
        for el in near
        if abs(index[id(el)] - index[id(first)]) <= BYLINE_SPREAD
    ]


def _child_props(el: Tag) -> dict[str, list[Tag]]:
    props: dict[str, list[Tag]] = {}
    for child in el.find_all(attrs={"itemprop": True}):
        for key in str(child["itemprop"]).split():
            props.setdefault(key, []).append(child)
    return props


def _time_attrs(page: _Page, anchor: int | None, *, updated: bool) -> list[str]:
    """`datetime` attributes of `<time>` elements; those marked as updated for modified."""
    out = []
    for el in _near(page.times, anchor, window=None):
        value = el.get("datetime")
        marker = " ".join(el.get("class") or ()) + str(el.get("itemprop", ""))
        is_update = bool(_UPDATED.search(marker))
        if isinstance(value, str) and value.strip() and is_update == updated:
            out.append(value)
    return out


def _dates_beside(page: _Page, anchor: int | None) -> list[tuple[str, bool]]:
    """Short texts right beside the headline that hold a date with its year, nearest
    first, whatever their markup: "December 31, 2024" in a plain <span> under the <h1>;
    each with whether a label before it calls it the update date."""
    if anchor is None:
        return []
    found = []
    for el in _around(page, anchor, BESIDE_HEADLINE):
        text = el.string if el.name not in ("script", "style") else None
        text = _clean(text) if text else None
        if (
            text
            and len(text) <= dates.MAX_DATE_TEXT
            and _YEAR.search(text)
            and dates.looks_like_date(text)
            and not _UPDATED.search(text)
            and not _is_sentence(text)
        ):
            found.append((text, _labelled_update(el)))
    return found


def _is_sentence(text: str) -> bool:
    """A sentence that mentions a date ("Am 5. Dezember 2023 beschloss der Rat die
    Sanierung.") rather than a line that shows one: prose around the date, ended as a
    sentence ends. The event's day is not the publication's."""
    return text.endswith((".", "!", "?", "…")) and len(dates.outside_date(text)) >= MIN_PROSE_CHARS


def _around(page: _Page, anchor: int, reach: int) -> Iterator[Tag]:
    """The elements within `reach` of the headline's, nearest first (at each distance,
    the one after it before the one before it)."""
    for distance in range(1, reach + 1):
        for i in (anchor + distance, anchor - distance):
            if 0 <= i < len(page.elements):
                yield page.elements[i]


def _is_marked_update(el: Tag) -> bool:
    """Do an element's class or itemprop mark it as the update date ("updated",
    "dateModified")?"""
    return bool(_UPDATED.search(" ".join(el.get("class") or ()) + " " + str(el.get("itemprop"))))


def _labelled_update(el: Tag) -> bool:
    """Does the label right before a shown date call it the update ("Last updated:
    <time>...")?"""
    before = el.previous_sibling
    while isinstance(before, str) and not before.strip():
        before = before.previous_sibling
    if isinstance(before, Tag):
        before = before.get_text(" ")
    return isinstance(before, str) and bool(_UPDATED.search(before[-UPDATE_LABEL_CHARS:]))


def _visible_dates(page: _Page, anchor: int | None, window: int) -> list[tuple[str, bool]]:
    """Dates shown to the reader within `window` elements of the headline, nearest first,
    each with whether a label before it calls it the update date. Those marked as the
    update, or labelled so in their own text ("Updated 5 Dec 2023"), are left out."""
    texts = []
    for el in _near(page.date_texts + page.times, anchor, window):
        # A box holding both dates ("posted-on": <time class="updated">, <time
        # class="published">) shows the publication without the update inside it.
        updates = [d for d in el.find_all(True) if _is_marked_update(d)]
        text = _text_without(el, updates) or _clean(el.get("value") or el.get("content"))
        if not text or _is_marked_update(el) or _UPDATED.search(text):
            continue
        # A bare clock time ("15:58") is a news-feed entry, not the article's date.
        if text and len(text) <= dates.MAX_DATE_TEXT and _YEAR_OR_WORD.search(text):
            texts.append((text, _labelled_update(el)))
    return texts


def _publication_first(shown: list[tuple[str, bool]]) -> list[str]:
    """Shown dates, those labelled as the update after the others: a page showing
    "Published Apr 26, 2023 · Updated Aug 21, 2025" was published on the first."""
    return [t for t, update in shown if not update] + [t for t, update in shown if update]


def _first_date(
    candidates: Iterable[str | None],
    *,
    fetched_at: datetime,
    timezone: str | None,
    language: str | None,
) -> dates.When | None:
    """The first candidate that parses and is not in the future."""
    for text in candidates:
        value = dates.parse_date(text, fetched_at=fetched_at, timezone=timezone, language=language)
        if value is not None and not dates.is_future(value, fetched_at):
            return value
    return None


def _modified_candidates(ld: _LD, page: _Page, anchor: int | None) -> Iterator[str | None]:
    yield ld.text("dateModified")
    yield from _meta_all(page, MODIFIED_META)
    yield _prop(page, "dateModified")
    yield from _time_attrs(page, anchor, updated=True)


def _stated_candidates(ld: _LD, page: _Page, anchor: int | None) -> Iterator[str | None]:
    """The page's machine-readable publication dates, strongest first."""
    yield ld.text("datePublished")
    yield ld.text("dateCreated")
    yield from _meta_all(page, PUBLISHED_META)
    yield _prop(page, "datePublished")
    yield from _time_attrs(page, anchor, updated=False)


def _day(value: dates.When) -> date:
    return value.date() if isinstance(value, datetime) else value


def _swapped(value: date) -> date | None:
    """The day with day and month swapped: the other reading of "09.10.2024"."""
    try:
        return value.replace(month=value.day, day=value.month)
    except ValueError:
        return None


def _published(
    ld: _LD,
    page: _Page,
    anchor: int | None,
    urls: Iterable[str | None],
    **date_args: Any,
) -> dates.When | None:
    """The publication date, from the strongest evidence the page gives.

    The day comes from, in order: the URL (/2023/12/05/ is fixed at publication); a date
    with its year shown beside the headline (what the reader sees, and often the only
    date on pages that do not declare themselves articles); the date the markup states
    (JSON-LD, meta conventions, microdata, <time>); a date shown farther down, those
    without a year ("Jan 17", "вчера в 9:10") last, as they are only right counted from
    the fetch. The stated date then gives the time and offset when it has that day.
    Nothing is thrown out because another field (dateModified, say) contradicts it: each
    source is evidence, and the strongest one present decides. Without any, `extract()`
    looks for a dateline in the text, then asks htmldate.
    """
    stated = _first_date(_stated_candidates(ld, page, anchor), **date_args)
    visible = _publication_first(_visible_dates(page, anchor, NEAR_HEADLINE))

    def sources() -> Iterator[dates.When | None]:
        yield next((day for url in urls if (day := dates.date_from_url(url))), None)
        near = [d for d in _visible_dates(page, anchor, SHOWN_NEAR) if _YEAR.search(d[0])]
        shown = _first_date(_publication_first(near + _dates_beside(page, anchor)), **date_args)
        # A numeric date that reads both ways ("09.10.2024") is settled by the markup.
        if shown and stated and _swapped(_day(shown)) == _day(stated):
            shown = stated
        yield shown
        yield stated
        yield _first_date(visible, **date_args)

    chosen = next((found for found in sources() if found is not None), None)
    if chosen is None or stated is None:
        return chosen or stated
    # A day alone (a URL's, a visible date's) is in the site's own zone, which the page
    # may not say: a stated time within a day of it agrees with it and gives the time.
    slack = 0 if isinstance(chosen, datetime) else 1
    return stated if abs((_day(stated) - _day(chosen)).days) <= slack else chosen


def extract_metadata(
    soup: BeautifulSoup, url: str | None, *, fetched_at: datetime, timezone: str | None = None
) -> Article:
    """Read the article's metadata from the parsed page (before body extraction prunes it).

    `fetched_at` (aware) anchors relative dates and rejects future ones; `timezone` is the
    source's IANA zone for dates the page gives without one. The language set here comes
    from the declaration and the headline; `extract()` refines it from the body text.
    """
    page = _gather(soup)
    ld = _LD.of(page.ld)

    site = _meta_first(page, SITE_META) or _ld_text(ld.get("publisher"))
    canonical = (
        next((h for el in page.links.get("canonical", ()) if (h := el.get("href"))), None)
        or _meta_first(page, ("og:url",))
        or _ld_url(ld.get("mainEntityOfPage") or ld.get("url"))
    )
    canonical = _absolute(canonical, url)
    base = url or canonical

    title = _title(
        [ld.text("headline"), _meta_first(page, TITLE_META), _prop(page, "headline")],
        page,
        site,
        base,
    )
    anchor = next((i for i, el in page.h1 if _heading(el) == title), None)
    anchor = anchor if anchor is not None else next((i for i, _ in page.h1), None)

    declared = normalize_code(
        ld.text("inLanguage") or page.html_lang or _meta_first(page, LANGUAGE_META)
    )
    description = ld.text("description") or _meta_first(page, DESCRIPTION_META)
    description = description or _prop(page, "description")

    date_args = {"fetched_at": fetched_at, "timezone": timezone, "language": declared}
    modified = _first_date(_modified_candidates(ld, page, anchor), **date_args)
    # The canonical URL first: a page republished under a later-dated URL keeps its day.
    published = _published(ld, page, anchor, (canonical, url), **date_args)

    authors, organizations = _authors(ld, page, anchor, site)
    section = (
        ld.text("articleSection")
        or _meta_first(page, SECTION_META)
        or _prop(page, "articleSection")
        or next((c for c in ld.breadcrumbs[1:] if c != title), None)
        or next(iter(_link_texts(page.section_links)), None)
    )
    tag_sources = (
        [k for k in _as_list(ld.get("keywords")) if isinstance(k, str)],
        *([v for v in page.meta.get(key, ())] for key in TAG_META),
        [v for el in page.itemprops.get("keywords", ()) if (v := _prop_value(el))],
        _link_texts(page.tag_links),
    )
    tags = next((t for source in tag_sources if (t := _tags(source, (title, site)))), [])
    image = (
        _ld_url(ld.get("image"))
        or _ld_url(ld.get("thumbnailUrl"))
        or _meta_first(page, IMAGE_META)
        or _prop(page, "image")
        or next((h for el in page.links.get("image_src", ()) if (h := el.get("href"))), None)
    )
    return Article(
        title=title,
        authors=authors,
        organizations=organizations,
        published=dates.isoformat(published) if published else None,
        modified=dates.isoformat(modified) if modified else None,
        language=detect_language(" ".join(filter(None, (title, description))), declared),
        section=section,
        tags=tags,
        image=_absolute(image, base),
        description=description,
        canonical_url=canonical,
        site_name=site,
    )
