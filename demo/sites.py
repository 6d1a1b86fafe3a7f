"""The demo sites: names, languages and the URL rules a crawler is configured with."""

from dataclasses import dataclass
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
SITE_DIR = DEMO_DIR / "site"


@dataclass(frozen=True)
class Site:
    name: str
    brand: str
    language: str
    timezone: str
    article_allow: tuple[str, ...]  # regexes on the URL path (+query)
    feed: str  # feed path
    feed_kind: str  # "rss" or "atom"


SITES: dict[str, Site] = {
    site.name: site
    for site in (
        Site(
            "novosti",
            "Новости Мира",
            "ru",
            "Europe/Kyiv",
            (
                r"/(politics|economics|world|war|technology|sport|culture|society)"
                r"/[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.html$",
            ),
            "/rss.xml",
            "rss",
        ),
        Site(
            "vesti-ua",
            "Вісті UA",
            "uk",
            "Europe/Kyiv",
            (r"^/\d{4}/\d{2}/[a-z0-9-]+/$",),
            "/feed/",
            "rss",
        ),
        Site(
            "dailywire",
            "The Daily Wire Report",
            "en",
            "Europe/London",
            (r"^/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/$",),
            "/atom.xml",
            "atom",
        ),
        Site(
            "agregator",
            "Лента Дня",
            "ru",
            "Europe/Kyiv",
            (r"^/news/\d+-[a-z0-9-]+\.html$",),
            "/rss.xml",
            "rss",
        ),
    )
}
