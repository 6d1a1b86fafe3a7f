"""sources.toml: which sites to crawl and how. Validated completely before any request.

A mistake in the file is reported as one line naming the source and the field
(`ConfigError`); the CLI turns it into exit status 2.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import soupsieve

DEFAULT_USER_AGENT = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive)"


class ConfigError(ValueError):
    """A problem in the config file, worded for the person who wrote it."""


@dataclass(frozen=True)
class Source:
    name: str
    start_urls: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    # Hosts ("example.com", which admits its subdomains) or host:port; by default the
    # hosts of the URLs above.
    allowed_domains: list[str] = field(default_factory=list)
    article_allow: list[str] = field(default_factory=list)  # regexes on path and query
    article_deny: list[str] = field(default_factory=list)
    max_depth: int = 2
    body_selector: str | None = None
    remove_selectors: list[str] = field(default_factory=list)
    timezone: str | None = None
    # Loopback and private addresses are refused unless the source says it is local.
    local: bool = False
    # Articles first seen less than this many hours ago are re-fetched (conditionally)
    # on every run, to catch edits; older ones only when a sitemap or feed says so.
    recheck_hours: float = 48


@dataclass(frozen=True)
class CrawlSettings:
    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = 16
    per_domain_concurrency: int = 4
    download_delay: float = 0.25
    download_timeout: int = 30
    # Query parameters dropped from URLs besides the built-in list (names or "ref_*" globs).
    tracking_params: list[str] = field(default_factory=list)
    # Keep every fetched article page, compressed, for `newsarchive reprocess`.
    keep_raw: bool = True


@dataclass(frozen=True)
class Config:
    sources: list[Source]
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    path: str | None = None

    def source(self, name: str) -> Source:
        return next(s for s in self.sources if s.name == name)

    def scrapy_settings(self) -> dict[str, Any]:
        """The Scrapy settings this config's [crawl] table sets, for every way of crawling
        (`newsarchive crawl` and `scrapy crawl news`)."""
        crawl = self.crawl
        return {
            "USER_AGENT": crawl.user_agent,
            "CONCURRENT_REQUESTS": crawl.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.per_domain_concurrency,
            "DOWNLOAD_DELAY": crawl.download_delay,
            "AUTOTHROTTLE_START_DELAY": crawl.download_delay,
            "DOWNLOAD_TIMEOUT": crawl.download_timeout,
            "NEWSARCHIVE_LOCAL_HOSTS": self.local_hosts(),
        }

    def local_hosts(self) -> list[str]:
        """The hosts (without port) of sources configured `local = true`: the only names
        that may resolve to loopback or private addresses (see `scraper.crawl.resolver`)."""
        return sorted(
            {
                urlsplit(f"//{domain}").hostname or domain
                for source in self.sources
                if source.local
                for domain in source.allowed_domains
            }
        )


# Sane bounds for numbers, so that a typo cannot turn a crawler into a flood.
_BOUNDS: dict[str, tuple[float, float]] = {
    "max_depth": (0, 50),
    "recheck_hours": (0, 24 * 365),
    "concurrency": (1, 256),
    "per_domain_concurrency": (1, 64),
    "download_delay": (0, 3600),
    "download_timeout": (1, 600),
}


def _check_type(where: str, name: str, value: Any, annotation: str) -> None:
    expected: dict[str, tuple[type, ...]] = {
        "str": (str,),
        "str | None": (str,),
        "list[str]": (list,),
        "int": (int,),
        "float": (int, float),
        "bool": (bool,),
    }
    types = expected[annotation]
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        raise ConfigError(f"{where}: field '{name}' must be {annotation.split(' |')[0]}")
    if annotation == "list[str]" and not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: field '{name}' must be a list of strings")
    if name in _BOUNDS and not _BOUNDS[name][0] <= value <= _BOUNDS[name][1]:
        low, high = _BOUNDS[name]
        raise ConfigError(f"{where}: field '{name}' must be between {low:g} and {high:g}")


def _build(cls: type, table: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown field '{key}' (known: {', '.join(known)})")
    for name, value in table.items():
        _check_type(where, name, value, str(known[name].type))
    return cls(**table)


def _check_url(where: str, name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: field '{name}': '{url}' is not an http(s) URL")


def _validate_source(source: Source, where: str) -> Source:
    if not (source.start_urls or source.feeds or source.sitemaps):
        raise ConfigError(f"{where}: needs at least one of 'start_urls', 'feeds', 'sitemaps'")
    urls = [*source.start_urls, *source.feeds, *source.sitemaps]
    for name in ("start_urls", "feeds", "sitemaps"):
        for url in getattr(source, name):
            _check_url(where, name, url)
    for name in ("article_allow", "article_deny"):
        for pattern in getattr(source, name):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"{where}: field '{name}': bad regex {pattern!r}: {exc}"
                ) from None
    if source.timezone:
        try:
            zoneinfo.ZoneInfo(source.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{where}: field 'timezone': unknown time zone {source.timezone!r}"
            ) from None
    for selector in [source.body_selector or "", *source.remove_selectors]:
        if selector and not _selector_ok(selector):
            raise ConfigError(f"{where}: bad CSS selector {selector!r}")
    if not source.allowed_domains:
        hosts = sorted({urlsplit(u).netloc.lower() for u in urls})
        source = Source(**{**source.__dict__, "allowed_domains": hosts})
    return source


def _selector_ok(selector: str) -> bool:
    try:
        soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, ValueError):
        return False
    return True


def parse_config(text: str, path: str = "sources.toml") -> Config:
    """Parse and validate the text of a sources.toml."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - {"source", "crawl"}
    if unknown:
        raise ConfigError(f"{path}: unknown table '{sorted(unknown)[0]}' (known: source, crawl)")
    tables = data.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{path}: no [[source]] defined")
    sources: list[Source] = []
    for index, table in enumerate(tables, 1):
        name = table.get("name")
        where = f"{path}: source '{name}'" if isinstance(name, str) else f"{path}: source #{index}"
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise ConfigError(f"{where}: field 'name' is required (letters, digits, - _ .)")
        if any(s.name == name for s in sources):
            raise ConfigError(f"{where}: field 'name': defined twice")
        sources.append(_validate_source(_build(Source, table, where), where))
    crawl = _build(CrawlSettings, data.get("crawl", {}), f"{path}: [crawl]")
    return Config(sources=sources, crawl=crawl, path=path)


def load_config(path: str | Path) -> Config:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    return parse_config(text, str(path))
