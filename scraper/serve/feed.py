"""Any articles page as an Atom feed: `/DB/articles.atom?…` with the page's own search,
filters and date range, the newest 50 first (Datasette's output renderer hook).

A reporter subscribes to a saved search in any feed reader; each entry links to the
archived article and to the original, with authors, dates and the matching snippet.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from datasette.utils.asgi import Response

from pipelines.textsearch import snippet

ATOM = "http://www.w3.org/2005/Atom"
FIELDS = "id, title, source, canonical_url, authors, published, modified, first_seen, body"


def names(value: str | None) -> list[str]:
    """The people in an authors (or tags) column: a JSON list, or nothing if it is not one."""
    try:
        found = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(n) for n in found] if isinstance(found, list) else []


def _moment(*values: str | None) -> datetime:
    """The first of `values` that is an ISO 8601 time, with UTC when it names no zone."""
    for value in values:
        try:
            moment = datetime.fromisoformat(value or "")
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


async def render_atom(
    datasette: Any, rows: list[Any], database: str, table: str, request: Any
) -> Response:
    search = request.args.get("_search") or ""
    ids = [row["id"] for row in rows]
    db = datasette.get_database(database)
    marks = ",".join("?" * len(ids))
    found = await db.execute(f"SELECT {FIELDS} FROM articles WHERE id IN ({marks})", ids)
    by_id = {row["id"]: row for row in found.rows}
    articles = [by_id[i] for i in ids if i in by_id]

    ET.register_namespace("", ATOM)
    feed = _element(None, "feed")
    _element(feed, "id", request.url)
    _element(feed, "title", f"newsarchive: {search}" if search else f"newsarchive: {table}")
    _element(feed, "link", href=request.url, rel="self")
    _element(feed, "link", href=request.url.replace(".atom", "", 1), rel="alternate")
    newest = max((_moment(a["first_seen"]) for a in articles), default=datetime.now(UTC))
    _element(feed, "updated", newest.isoformat())
    _element(feed, "generator", "newsarchive")
    for article in articles:
        path = datasette.urls.row(database, table, article["id"])
        archived = datasette.absolute_url(request, path)
        entry = _element(feed, "entry")
        _element(entry, "id", archived)
        _element(entry, "title", article["title"] or "(untitled)")
        _element(entry, "link", href=archived, rel="alternate", type="text/html")
        original = f"the original at {article['source']}"
        _element(entry, "link", href=article["canonical_url"], rel="related", title=original)
        published = _moment(article["published"], article["first_seen"])
        _element(entry, "published", published.isoformat())
        updated = _moment(article["modified"], article["published"], article["first_seen"])
        _element(entry, "updated", max(updated, published).isoformat())
        for name in names(article["authors"]) or [article["source"]]:
            _element(_element(entry, "author"), "name", name)
        # <b>, not <mark>: feed readers sanitise the HTML, and <mark> is not on their lists.
        summary = snippet(article["body"], search, mark="b")
        _element(entry, "summary", summary, type="html")
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def _element(
    parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str
) -> ET.Element:
    """An Atom element, appended to `parent` when there is one."""
    name = f"{{{ATOM}}}{tag}"
    element = ET.Element(name, attrs) if parent is None else ET.SubElement(parent, name, attrs)
    element.text = text
    return element
