"""Bundled demo news sites: a generator, its committed output and a small server.

``DemoServer`` serves the sites on loopback ports; ``sources(origins)`` gives the sources config
that crawls them; ``expected.json`` says what a correct crawl stores.
"""

import json
import re
import urllib.request
from dataclasses import dataclass

from w3lib.encoding import http_content_type_encoding

from demo.server import DemoServer
from demo.sites import DEMO_DIR, SITES

__all__ = ["DemoServer", "SITES", "expected", "fetch_articles", "sources"]


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # Literal strings keep regex backslashes as they are; none of ours contains a quote.
        return f"'{value}'" if "'" not in value and "\n" not in value else json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def sources(origins: dict[str, str]) -> str:
    """TOML text of a sources config that crawls the demo sites served at `origins`."""
    blocks = []
    for name, origin in origins.items():
        site = SITES[name]
        fields = {
            "name": name,
            "start_urls": [origin + "/"],
            "feeds": [origin + site.feed],
            "sitemaps": [origin + "/sitemap.xml"],
            "allowed_domains": [origin.split("://", 1)[1]],
            "article_allow": list(site.article_allow),
            "article_deny": [],
            "max_depth": 3,
            "timezone": site.timezone,
            "local": True,
        }
        lines = ["[[source]]"] + [f"{key} = {_toml(value)}" for key, value in fields.items()]
        blocks.append("\n".join(lines) + "\n")
    # The sites are ours, on loopback: no politeness delay needed.
    return "[crawl]\ndownload_delay = 0\n\n" + "\n".join(blocks)


def expected() -> dict:
    """What a correct crawl of the demo sites stores (see demo/expected.json)."""
    return json.loads((DEMO_DIR / "expected.json").read_text(encoding="utf-8"))


# Metadata each demo article states in its page (what an extractor must find).
METADATA_FIELDS = ("title", "authors", "published", "modified", "language", "section", "tags")


@dataclass
class FetchedArticle:
    source: str
    path: str
    html: bytes
    extract_kwargs: dict  # url, encoding (from the HTTP header), the source's time zone
    metadata: dict  # the expected value of each of METADATA_FIELDS


def fetch_articles() -> list[FetchedArticle]:
    """Every demo article fetched over HTTP from a `DemoServer`, as a crawler sees it."""
    fetched = []
    with DemoServer() as server:
        for name, source in expected()["sources"].items():
            for article in source["articles"]:
                url = server.origins[name] + article["path"]
                with urllib.request.urlopen(url) as response:
                    html = response.read()
                    encoding = http_content_type_encoding(response.headers["Content-Type"])
                metadata = {f: article[f] for f in METADATA_FIELDS}
                if not re.search(rb"dateModified|modified_time", html):
                    metadata["modified"] = None  # the page does not say when it was updated
                kwargs = {"url": url, "encoding": encoding, "timezone": SITES[name].timezone}
                fetched.append(FetchedArticle(name, article["path"], html, kwargs, metadata))
    return fetched
