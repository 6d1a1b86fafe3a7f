"""Crawl logs for cron: errors on stderr, everything in a file rotated by size."""

import logging

from scraper.crawl.runner import configure_logging


def test_log_file_rotates_by_size_and_stderr_gets_only_errors(tmp_path, capsys):
    log = tmp_path / "crawl.log"
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(stderr_level=logging.ERROR, log_file=str(log), max_bytes=2000)
        for n in range(100):
            logging.getLogger("news").info("fetched page %d of the demo site", n)
        logging.getLogger("news").error("source novosti failed completely")
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers, root.level = saved
    assert (tmp_path / "crawl.log.1").exists()  # rotated
    assert log.stat().st_size <= 2000
    assert "failed completely" in log.read_text()
    assert capsys.readouterr().err.count("\n") == 1  # only the error line
