"""Saved searches as Atom feeds, read back by a real feed parser (feedparser)."""

from __future__ import annotations

import asyncio
import html
import re

import feedparser
from conftest import store
from test_search import NEWS, article

from scraper.serve.runner import make_datasette


def feed_link(page: str) -> str:
    return html.unescape(re.search(r'class="atom-link"[^>]* href="([^"]+)"', page)[1])


def test_a_search_page_links_its_own_feed_newest_first(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    later = article(20, "Беспилотник над Курском", "Ещё один беспилотник сбит.", source="tass")
    store(db_path, [seed_article, *NEWS, later])
    client = make_datasette(db_path).client
    page = asyncio.run(
        client.get("/news/articles?_search=беспилотник+NOT+Белгород&source=tass&_rank_page=1")
    ).text
    assert "To subscribe, copy the link into any feed reader" in page
    url = feed_link(page)
    assert url.startswith("http") and "/news/articles.atom?" in url
    assert "source=tass" in url and "_rank_page" not in url
    assert 'rel="alternate" type="application/atom+xml"' in page  # readers discover it too
    response = asyncio.run(client.get(url.split("localhost", 1)[1]))
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception  # well-formed Atom
    assert feed.version == "atom10"
    assert "беспилотник NOT Белгород" in feed.feed.title
    # The same query and filter as the page (tass only, Белгород excluded), newest first.
    assert [e.title for e in feed.entries] == [later.title, NEWS[1].title]
    first = feed.entries[0]
    links = {link.rel: link.href for link in first.links}
    assert re.search(r"/news/articles/\d+$", links["alternate"])  # the archived copy
    assert links["related"] == later.canonical_url  # the original page
    assert first.published_parsed[:3] == (2024, 3, 20)
    assert first.updated_parsed
    assert [a.name for a in first.authors] == ["tass"]  # no byline: the source
    assert "<b>беспилотник</b>" in first.summary


def test_feed_entries_carry_authors_and_a_date_range(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article, *NEWS])
    client = make_datasette(db_path).client
    dates = "published_utc__gte=2024-03-05&published_utc__lt=2024-03-06"
    url = f"/news/articles.atom?_search=Київ&{dates}"
    feed = feedparser.parse(asyncio.run(client.get(url)).content)
    assert [(e.title, [a.name for a in e.authors]) for e in feed.entries] == [
        (NEWS[4].title, ["Олена Петренко"])
    ]
    outside = url.replace("2024-03-05", "2024-03-06").replace("03-06&", "03-07&")
    assert feedparser.parse(asyncio.run(client.get(outside)).content).entries == []


def test_the_search_forms_source_and_dates_carry_to_feed_and_csv(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article, *NEWS])
    client = make_datasette(db_path).client
    scope = "_search=беспилотник&_source=wire&_from=2024-03-01&_to=2024-03-03"
    page = asyncio.run(client.get(f"/news/articles?{scope}")).text
    feed = feedparser.parse(
        asyncio.run(client.get(feed_link(page).split("localhost", 1)[1])).content
    )
    assert [e.title for e in feed.entries] == [NEWS[2].title, NEWS[0].title]  # not tass's 2nd
    csv_url = html.unescape(re.search(r'class="csv-link" href="([^"]+)"', page)[1])
    rows = asyncio.run(client.get(csv_url)).text.splitlines()
    assert len(rows) == 3 and NEWS[2].title in rows[1] and NEWS[0].title in rows[2]
