"""Article metadata (first version: JSON-LD, OpenGraph and the page title)."""

from __future__ import annotations

import json
from datetime import datetime

from bs4 import BeautifulSoup

from scraper.items import Article


def _meta(soup: BeautifulSoup, key: str) -> str | None:
    tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    content = tag.get("content") if tag else None
    return content.strip() if isinstance(content, str) and content.strip() else None


def _json_ld(soup: BeautifulSoup) -> dict:
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue
        for node in data if isinstance(data, list) else data.get("@graph", [data]):
            if isinstance(node, dict) and "Article" in str(node.get("@type", "")):
                return node
    return {}


def extract_metadata(
    soup: BeautifulSoup, url: str | None, *, fetched_at: datetime, timezone: str | None = None
) -> Article:
    ld = _json_ld(soup)
    h1 = soup.find("h1")
    author = ld.get("author")
    authors = [
        a.get("name")
        for a in (author if isinstance(author, list) else [author])
        if isinstance(a, dict)
    ]
    canonical = soup.find("link", rel="canonical")
    html_tag = soup.find("html")
    return Article(
        title=ld.get("headline")
        or _meta(soup, "og:title")
        or (h1.get_text(strip=True) if h1 else None),
        authors=[a for a in authors if a],
        published=ld.get("datePublished") or _meta(soup, "article:published_time"),
        modified=ld.get("dateModified") or _meta(soup, "article:modified_time"),
        language=(html_tag.get("lang") if html_tag else None) or None,
        section=_meta(soup, "article:section"),
        tags=[
            t["content"] for t in soup.find_all("meta", property="article:tag") if t.get("content")
        ],
        image=_meta(soup, "og:image"),
        description=_meta(soup, "og:description") or _meta(soup, "description"),
        canonical_url=(canonical.get("href") if canonical else None) or _meta(soup, "og:url"),
        site_name=_meta(soup, "og:site_name"),
    )
