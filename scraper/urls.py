"""URL identity: one article, one key, whatever tracking parameters it was shared with."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that say how a reader arrived, never which page they read.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|yclid|ysclid|_openstat|mc_cid|mc_eid|"
    r"at_medium|at_campaign|at_\w+|_ga|_gl|igshid|mkt_tok|oly_\w+|rb_clickid|s_cid|"
    r"cmpid|ocid|ref_src|spm)$",
    re.IGNORECASE,
)


def is_tracking(key: str, extra_tracking: tuple[str, ...] | list[str] = ()) -> bool:
    """Is query parameter `key` a tracking one: built in, or named (or globbed, "ref_*")
    in sources.toml's `[crawl] tracking_params`? Case does not matter."""
    if TRACKING_PARAMS.match(key):
        return True
    key = key.lower()
    return any(fnmatchcase(key, pattern.lower()) for pattern in extra_tracking)


def normalize_url(url: str, extra_tracking: tuple[str, ...] | list[str] = ()) -> str:
    """The archive key of `url`: w3lib's canonical form without tracking parameters."""
    parts = urlsplit(url.strip())
    query = parts.query
    if query:  # most links have no query: nothing to take out
        query = urlencode(
            [
                (key, value)
                for key, value in parse_qsl(query, keep_blank_values=True)
                if not is_tracking(key, extra_tracking)
            ]
        )
    cleaned = urlunsplit((parts.scheme, netloc(parts), parts.path or "/", query, ""))
    return canonicalize_url(cleaned)


def netloc(parts: SplitResult) -> str:
    """host[:port] of a split URL as written in allowed_domains: lower case, default port
    dropped."""
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def allowed(url: str, domains: list[str]) -> bool:
    """Is `url` inside `domains`? "example.com" admits its subdomains; "host:port" is exact."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    location = netloc(parts)
    host = (parts.hostname or "").lower()
    for domain in domains:
        domain = domain.lower()
        if ":" in domain:
            if location == domain:
                return True
        elif in_domain(host, domain):
            return True
    return False


def in_domain(host: str, domain: str) -> bool:
    """Is `host` the domain or one of its subdomains? Both in lower case, without port."""
    return host == domain or host.endswith("." + domain)
