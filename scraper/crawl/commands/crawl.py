"""`scrapy crawl news`, run as `newsarchive crawl` runs it: the [crawl] table of the config
applies, and the archive's writer lock is taken before anything starts, so a busy archive
is one line on stderr and exit status 1 instead of a traceback."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from pipelines.lock import ArchiveBusy, writer_lock
from scraper.config import ConfigError, load_config


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        settings = self.settings
        try:
            config = load_config(settings.get("NEWSARCHIVE_CONFIG"))
            # Over settings.py, under `-s NAME=VALUE` (cmdline priority).
            settings.setdict(config.scrapy_settings(), priority="project")
            with writer_lock(settings.get("NEWSARCHIVE_DB")):
                super().run(args, opts)
        except (ArchiveBusy, ConfigError) as exc:
            print(f"Error: {exc}", file=sys.stderr)
            self.exitcode = 1
