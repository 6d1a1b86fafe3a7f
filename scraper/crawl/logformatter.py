"""Log lines about items name the URL, never dump the whole article (bodies are long)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter

from pipelines.archive import is_write_error


class QuietItemsLogFormatter(logformatter.LogFormatter):
    def scraped(self, item: Any, response: Any, spider: Any) -> logformatter.LogFormatterResult:
        result = super().scraped(item, response, spider)
        result["args"]["item"] = getattr(item, "url", "")
        return result

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped: %(exception)s"
        return result

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        result = super().item_error(item, exception, response, spider)
        result["args"]["item"] = getattr(item, "url", "")
        if is_write_error(exception):
            # The crawl stops and the CLI says why in one line; the traceback is for the log.
            result["level"] = logging.DEBUG
        return result
