"""Log lines about items name the URL, never dump the whole article (bodies are long)."""

from __future__ import annotations

from typing import Any

from scrapy import logformatter


class QuietItemsLogFormatter(logformatter.LogFormatter):
    def scraped(self, item: Any, response: Any, spider: Any) -> logformatter.LogFormatterResult:
        result = super().scraped(item, response, spider)
        result["args"]["item"] = getattr(item, "url", "")
        return result

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped: %(exception)s"
        return result
