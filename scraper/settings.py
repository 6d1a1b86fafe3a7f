"""Scrapy settings for newsarchive. The CLI overrides the NEWSARCHIVE_* ones and the
politeness figures from sources.toml's [crawl] table; `scrapy crawl news` uses these."""

import os

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"
# `scrapy crawl` applies sources.toml's [crawl] table and takes the writer lock first.
COMMANDS_MODULE = "scraper.crawl.commands"

NEWSARCHIVE_CONFIG = os.environ.get("NEWSARCHIVE_CONFIG", "sources.toml")
NEWSARCHIVE_DB = os.environ.get("NEWSARCHIVE_DB", "archive.db")
# Articles written per transaction, and at most this many seconds between writes.
NEWSARCHIVE_BATCH_SIZE = 100
NEWSARCHIVE_FLUSH_SECONDS = 2.0
# Per source and run, at most this many article pages and listing pages are requested
# (`--max-pages` lowers the first): a sitemap of 100,000 URLs or a calendar that links to a
# new page forever costs one bounded run, and the next run carries on where it stopped.
NEWSARCHIVE_MAX_ARTICLES = 1000
NEWSARCHIVE_MAX_LISTING_PAGES = 500
# A 429/503 asking to come back within this many seconds is retried after the wait;
# a longer Retry-After gives up on the page for this run.
NEWSARCHIVE_RETRY_AFTER_MAX = 10
# Keep every fetched article page, compressed, for `newsarchive reprocess`.
NEWSARCHIVE_KEEP_RAW = True
# Pages with fewer words in the body are not archived as articles (but kept, see
# `not_articles`); NEWSARCHIVE_MIN_WORDS=N sets another bound for a crawl or a reprocess.
NEWSARCHIVE_MIN_WORDS = int(os.environ.get("NEWSARCHIVE_MIN_WORDS", 40))

# Names that may resolve to loopback or private addresses: those of the sources configured
# `local = true` (the CLI sets them from its config; None reads NEWSARCHIVE_CONFIG). Every
# other name resolving there is refused (scraper.crawl.resolver).
NEWSARCHIVE_LOCAL_HOSTS = None
TWISTED_DNS_RESOLVER = "scraper.crawl.resolver.GuardedResolver"

DOWNLOADER_MIDDLEWARES = {
    "scraper.middlewares.SourceGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scraper.middlewares.RobotsMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "scraper.middlewares.DecompressionMiddleware": 590,
    "scraper.middlewares.RedirectRecorder": 650,
}
EXTENSIONS = {
    "scraper.crawl.progress.Progress": 500,
}
NEWSARCHIVE_PROGRESS = False
# Where the spider keeps discovered, unsettled article URLs: the archive's frontier table
# (a crawl node uses scraper.crawl.cluster.RedisFrontier instead).
NEWSARCHIVE_FRONTIER = "scraper.crawl.frontier.Frontier"
# A crawl node pauses while the writer's stream holds this many entries or more
# (pipelines.stream): Redis memory stays bounded when the writer falls behind.
NEWSARCHIVE_STREAM_MAX = int(os.environ.get("NEWSARCHIVE_STREAM_MAX", 2000))
NEWSARCHIVE_REDIS_PREFIX = "newsarchive"  # the CLI turns it on when stderr is a terminal
# Processes that extract articles; 0 = none, extract in the crawling process. By default
# one fewer than the cores (at least one): the crawling process needs most of a core itself.
NEWSARCHIVE_EXTRACT_WORKERS = int(
    os.environ.get("NEWSARCHIVE_EXTRACT_WORKERS", max(1, (os.cpu_count() or 1) - 1))
)
# Benchmarks only: fetch and discover as usual, but drop every fetched article page before
# extraction, so nothing is parsed or stored (the crawl is still recorded). This measures
# what Scrapy itself can fetch; see benchmarks/crawl.py.
NEWSARCHIVE_DISCARD_PAGES = os.environ.get("NEWSARCHIVE_DISCARD_PAGES", "") == "1"
# Scrapy starts CONCURRENT_ITEMS asyncio workers (100 by default) for each response's
# output, almost all idle: a page yields at most one item, and yields it last, after its
# requests, which Scrapy schedules without waiting. One worker does the same work in the
# same order; 100 cost a tenth of the crawling process's CPU (benchmarks/README.md).
CONCURRENT_ITEMS = 1
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 50,
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.store.StorePipeline": 300,
}

# Politeness: robots.txt (Protego), AutoThrottle, bounded concurrency and page size.
USER_AGENT = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
# AutoThrottle keeps about AUTOTHROTTLE_TARGET_CONCURRENCY requests in flight per site,
# whatever [crawl] concurrency says; NEWSARCHIVE_AUTOTHROTTLE=0 turns it off for crawls of
# one's own servers (and benchmarks), where only the concurrency limits should apply.
AUTOTHROTTLE_ENABLED = os.environ.get("NEWSARCHIVE_AUTOTHROTTLE", "1") != "0"
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
# Bounds the body on the wire and, in HttpCompressionMiddleware, unpacked (gzip bombs).
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening sockets from a cron job
LOG_LEVEL = "INFO"
LOG_FORMATTER = "scraper.crawl.logformatter.QuietItemsLogFormatter"

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
