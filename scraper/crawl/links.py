"""The links of a fetched page, as Scrapy's default `LinkExtractor()` finds them, for less.

Link discovery ran on every page and was the crawling process's largest cost (46% of its
CPU with extraction off, `benchmarks/README.md`): Scrapy's extractor visits every element
in Python, and joins, quotes, re-joins and filters every `href` of the page, although a
news page links the same navigation, footer and section URLs as the page before it.

`LinkFinder` gives the same URLs in the same order (`tests/test_urls.py` compares the two
on hand-written pages): the `href` of every `<a>` and `<area>`, stripped, joined with the
page's base URL (`<base href>` in its first 4 KB, as Scrapy reads it), made safe in the
page's encoding, joined with the page URL, kept when the scheme is one Scrapy follows and
the path does not end in one of Scrapy's ignored extensions, each URL once. It differs in
how: lxml's XPath picks the attributes in C; each distinct `href` of a page is resolved
once; and the results are remembered, keyed by exactly what they depend on (the base URL,
or only its scheme and host for a link from the root; the `href`; the page's encoding and
scheme), so that a link met on an earlier page costs one look-up.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlparse, urlsplit

from lxml import etree
from scrapy.http import TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.selector import Selector
from scrapy.utils.response import get_base_url
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

# Document order, like Scrapy's walk over every element.
_HREFS = etree.XPath("//a/@href | //area/@href", smart_strings=False)
_SCHEMES = frozenset({"http", "https", "file", "ftp"})  # what Scrapy's extractor keeps
_IGNORED = tuple(f".{extension}" for extension in IGNORED_EXTENSIONS)
# "scheme://" or "//" or "/": a reference whose join ignores the base URL's path and query.
_FROM_ROOT = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?/")


class LinkFinder:
    """The followable URLs of HTML responses. Each finder remembers how the last
    `REMEMBERED` distinct links resolved (about 1.5 MB), least recently used first out;
    the spider remembers as many of their archive keys."""

    REMEMBERED = 4096

    def __init__(self) -> None:
        self._resolve = lru_cache(self.REMEMBERED)(_resolve)

    def links(self, response: TextResponse) -> list[str]:
        """The page's link URLs, in document order, each once."""
        base = get_base_url(response)
        parts = urlsplit(base)
        origin = f"{parts.scheme}://{parts.netloc}"
        scheme = urlsplit(response.url).scheme
        encoding = response.encoding  # a property that looks the encoding up every time
        found: dict[str, None] = {}
        # A tree of its own, not `response.selector`, which would stay with the response
        # (about 0.3 MB a page) while its article waits for an extraction worker.
        for href in dict.fromkeys(_HREFS(Selector(response).root)):
            href = strip_html5_whitespace(href)
            # urljoin takes only the scheme and host of the base URL for a reference that
            # starts with "/" or "scheme:/", so those links resolve alike on every page of
            # the site.
            base_key = origin if _FROM_ROOT.match(href) else base
            if url := self._resolve(base_key, href, encoding, scheme):
                found[url] = None
        return list(found)


def _resolve(base: str, href: str, encoding: str, scheme: str) -> str | None:
    """The URL of a link `href` joined with its page's base URL, made safe in the page's
    encoding, or None when Scrapy's extractor would not keep it. The joined URL is absolute
    (the base URL is), so joining it with the page URL again, as Scrapy does, needs only
    its scheme."""
    try:
        url = urljoin(f"{scheme}://", safe_url_string(urljoin(base, href), encoding=encoding))
    except ValueError:  # "http://[broken/"
        return None
    if url.split("://", 1)[0] not in _SCHEMES:
        return None
    if urlparse(url).path.lower().endswith(_IGNORED):
        return None
    return url
