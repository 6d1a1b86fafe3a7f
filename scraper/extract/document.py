"""From raw bytes to a BeautifulSoup tree: sniff the type, pick the encoding, parse.

The encoding is decided here rather than by BeautifulSoup's UnicodeDammit so that the
order is the HTML standard's (BOM, then the HTTP header, then <meta> as w3lib reads it,
then charset-normalizer's detection) and so that a page is decoded exactly once. One
exception to <meta>: bytes that are valid UTF-8 with multi-byte sequences are UTF-8,
whatever the page declares; saved pages have no HTTP header to set that right.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.builder import TreeBuilder
from charset_normalizer import from_bytes
from lxml import etree
from lxml.html import HtmlElement
from w3lib.encoding import html_body_declared_encoding

# Pages larger than this are not articles (or are attacks); they are refused, not parsed.
MAX_HTML_BYTES = 8 * 1024 * 1024

_BINARY_MAGIC = (
    b"%PDF",
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG",
    b"GIF8",
    b"PK\x03\x04",  # zip, docx, epub
    b"\x1f\x8b",  # gzip that nobody unpacked
    b"RIFF",
    b"\x00\x00\x01\x00",  # ico
)
# lxml refuses str input that carries an XML encoding declaration.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_END_OF_PAGE = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
# Elements are lxml.html's, so that htmldate reads this tree instead of parsing the page
# again; the lookup is lxml's C default, with no Python call per element.
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(element=HtmlElement))
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class NotHTML(ValueError):
    """The bytes are not an HTML page we should parse; the message says why."""


def _known(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        name = codecs.lookup(encoding.strip().strip("\"'")).name
    except LookupError:
        return None
    # Pages that declare latin-1 are almost always windows-1252 (the HTML standard says so).
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def sniff_encoding(html: bytes, declared: str | None = None) -> str:
    """The encoding to decode `html` with; `declared` is the HTTP header's charset, if any."""
    for bom, name in _BOMS:
        if html.startswith(bom):
            return name
    if encoding := _known(declared):
        return encoding
    utf8 = _is_utf8(html)
    if encoding := _known(html_body_declared_encoding(html[:4096])):
        # Pages saved or converted to UTF-8 keep their old <meta charset>: bytes that are
        # valid UTF-8 with multi-byte sequences in them are no legacy charset's text.
        return "utf-8" if utf8 and not html.isascii() else encoding
    if utf8:
        return "utf-8"
    best = from_bytes(html[:65536]).best()
    return _known(best.encoding if best else None) or "cp1252"


def _is_utf8(html: bytes) -> bool:
    try:
        html.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def looks_binary(data: bytes) -> bool:
    """Do the first bytes say image, PDF, archive or other binary, whatever the headers say?"""
    head = data[:1024].lstrip()
    return head.startswith(_BINARY_MAGIC) or (
        b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    )


def decode_html(html: bytes, declared: str | None = None) -> str:
    """Decode a page to text, refusing what is not HTML."""
    if not html.strip():
        raise NotHTML("empty page")
    if len(html) > MAX_HTML_BYTES:
        raise NotHTML(f"page larger than {MAX_HTML_BYTES // (1024 * 1024)} MB")
    if looks_binary(html):
        raise NotHTML("binary content, not HTML")
    encoding = sniff_encoding(html, declared)
    return html.decode(encoding, errors="replace").lstrip("\ufeff")


def parse_html(html: bytes, declared_encoding: str | None = None) -> BeautifulSoup:
    """Parse a page into a BeautifulSoup tree (lxml builder semantics, built faster)."""
    return parse_text(decode_html(html, declared_encoding))


def parse_text(text: str) -> BeautifulSoup:
    """Parse a page already decoded by `decode_html`."""
    return soup_of(text, parse_tree(text))


def parse_tree(text: str) -> HtmlElement | None:
    """lxml's tree of a page decoded by `decode_html`; None when lxml refuses it."""
    try:
        # libxml2 stops at a premature </html>; pages that carry on after one are common
        # (templates that close the page and then print the article), and browsers read on.
        text = _END_OF_PAGE.sub("", _XML_DECLARATION.sub("", text, count=1))
        return etree.fromstring(text, _PARSER)
    except (ValueError, etree.LxmlError):
        return None


def soup_of(text: str, root: HtmlElement | None) -> BeautifulSoup:
    """The BeautifulSoup tree of `text`, built from its lxml tree `root` when there is one."""
    if root is None:
        # NUL bytes or an "empty" document: BeautifulSoup copes with whatever lxml refuses.
        return BeautifulSoup(text, "lxml")
    return soup_from_lxml(root)


def soup_from_lxml(root: etree._Element) -> BeautifulSoup:
    """Build the BeautifulSoup tree of an lxml.html tree.

    `BeautifulSoup(text, "lxml")` drives lxml's parser through Python callbacks and costs
    about ten times lxml's own parse; most of that is bookkeeping we do not need. Here lxml
    parses in C and we only create the Tag and string objects and link them, in document
    order, exactly as BeautifulSoup's own builder would (comments and doctypes are dropped).
    The walk is iterative, so depth costs no recursion (libxml2 caps depth at 256 anyway).
    """
    soup = BeautifulSoup("", "lxml")
    builder = soup.builder
    # script/style/template text gets its own string class, which get_text() skips.
    containers = builder.string_containers
    new_tag = _tag_maker(builder)
    new_str = str.__new__
    last: PageElement = soup

    # Each stack entry is an lxml node to enter, or a tail string, with the Tag it goes into.
    # A child's tail belongs to the parent after the child's whole subtree, so it is
    # pushed beneath the child; children are pushed in reverse to pop in document order.
    # Links are set here directly (what NavigableString() and Tag.setup() would do, then
    # the builder's linking): on a page of 1,500 nodes, function calls are the cost.
    stack: list[tuple[etree._Element | str, Tag]] = [(root, soup)]
    pop, push = stack.pop, stack.append
    while stack:
        node, parent = pop()
        siblings = parent.contents
        previous = siblings[-1] if siblings else None
        if node.__class__ is str:
            element = new_str(containers.get(parent.name, NavigableString), node)
            element.hidden = False
            element.next_element = element.next_sibling = None
        else:
            # items(), not attrib: a name like "{x}y" is read by attrib as a namespace
            # lookup and raises KeyError (a broken `<meta {"a"}...>` is enough).
            element = new_tag(node.tag, dict(node.items()))
        element.parent = parent
        element.previous_element = last
        element.previous_sibling = previous
        last.next_element = element
        if previous is not None:
            previous.next_sibling = element
        siblings.append(element)
        last = element
        if element.__class__ is not Tag:
            continue
        if text := node.text:
            string = new_str(containers.get(element.name, NavigableString), text)
            string.hidden = False
            string.parent = string.previous_element = element
            string.next_element = string.next_sibling = string.previous_sibling = None
            element.next_element = string
            element.contents.append(string)
            last = string
        for child in node[::-1]:
            if child.tail:
                push((child.tail, element))
            if child.tag.__class__ is str:  # not a comment or processing instruction
                push((child, element))
    return soup


def _tag_maker(builder: TreeBuilder) -> Callable[[str, dict[str, str]], Tag]:
    """A fast `Tag(None, builder, name, attrs=attrs)`.

    `Tag.__init__` works out a dozen fields from the builder and the name alone (string
    types, empty-element rule, whitespace tags...) and is a fifth of the parse. Here it runs
    once per distinct tag name; every later tag of that name copies those fields and gets
    its own attributes and children. Multi-valued attributes (class, rel...) are split into
    lists as the builder does. The result is the same object `Tag()` would build.
    """
    prototypes: dict[str, tuple[dict[str, Any], frozenset[str]]] = {}
    multi_valued = builder.cdata_list_attributes or {}
    value_list = builder.attribute_value_list_class

    def new_tag(name: str, attrs: dict[str, str]) -> Tag:
        known = prototypes.get(name)
        if known is None:
            lists = multi_valued.get("*", set()) | multi_valued.get(name.lower(), set())
            known = prototypes[name] = (vars(Tag(None, builder, name)), frozenset(lists))
        fields, lists = known
        tag = Tag.__new__(Tag)
        state = tag.__dict__
        state.update(fields)
        if attrs:
            for attr in lists.intersection(attrs):
                # str.split() splits on the same whitespace as bs4's r"\S+", faster.
                attrs[attr] = value_list(attrs[attr].split())
        state["attrs"] = attrs
        state["contents"] = []
        # <meta charset> (or http-equiv content-type) is rewritten when serialised.
        if name == "meta" and ("charset" in attrs or "http-equiv" in attrs):
            builder.set_up_substitutions(tag)
        return tag

    return new_tag
