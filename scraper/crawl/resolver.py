"""Name resolution that keeps the crawler off loopback, private and link-local addresses.

`SourceGuardMiddleware` refuses such address literals in URLs, but a *name* can lead there
too: an intranet host, a DNS record pointing at 127.0.0.1 or 169.254.169.254 (DNS rebinding),
or a numeric spelling such as "127.1" or "2130706433". Only resolution knows the address,
so `GuardedResolver` (Scrapy's caching resolver, configured as TWISTED_DNS_RESOLVER) fails
every lookup of such a name, unless the name belongs to a source configured `local = true`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from scraper.config import load_config
from scraper.urls import in_domain


def is_local_address(host: str) -> bool:
    """Loopback, private, link-local or otherwise non-public address literals (IPv4-mapped
    IPv6 ones included: `is_global` judges them by their IPv4 address) and localhost."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


class LocalAddressRefused(DNSLookupError):
    """A name resolved to a local address it may not lead to.

    A DNSLookupError, so that Twisted drops it quietly when it fails a connection (the
    request then fails as a plain DNS error); `SourceGuardMiddleware` resolves each name
    before the download and records this one as `local_address`.
    """


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's default resolver, except that only the names of local sources (and their
    subdomains) may resolve to non-public addresses.

    The check runs on every lookup, cached or not (the cache keeps raw answers by name), so
    one name's allowance never carries over to another name.
    """

    local_hosts: tuple[str, ...] = ()

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        # `crawler` is the CrawlerProcess: settings only, no spider and no config yet.
        resolver = super().from_crawler(crawler, reactor)
        settings = crawler.settings
        if settings.get("NEWSARCHIVE_LOCAL_HOSTS") is None:
            # `scrapy crawl news`: the config file the spider reads too.
            hosts = load_config(settings.get("NEWSARCHIVE_CONFIG")).local_hosts()
        else:
            hosts = settings.getlist("NEWSARCHIVE_LOCAL_HOSTS")
        resolver.local_hosts = tuple(h.lower() for h in hosts)
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        lookup = super().getHostByName(name, timeout)
        if not any(in_domain(name.lower(), host) for host in self.local_hosts):
            lookup.addCallback(self._refuse_local, name)
        return lookup

    @staticmethod
    def _refuse_local(address: str, name: str) -> str:
        if is_local_address(address):
            raise LocalAddressRefused(f"{name} resolves to {address}, a local address")
        return address
