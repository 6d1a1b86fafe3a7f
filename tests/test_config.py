"""sources.toml mistakes are caught before any request, as one line naming source and field."""

import subprocess
import sys

import pytest

from scraper.config import ConfigError, parse_config

GOOD = """
[[source]]
name = "site"
start_urls = ["https://news.example.org/"]
"""


def test_defaults_allow_the_start_hosts():
    config = parse_config(GOOD)
    assert config.sources[0].allowed_domains == ["news.example.org"]
    assert config.sources[0].max_depth == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "colour = 'red'\n", "source 'site': unknown field 'colour'"),
        (GOOD + "article_allow = ['(']\n", "source 'site': field 'article_allow': bad regex"),
        (GOOD + "max_depth = 'deep'\n", "source 'site': field 'max_depth' must be int"),
        (GOOD + "feeds = ['ftp://x/feed']\n", "field 'feeds': 'ftp://x/feed' is not an http"),
        (GOOD + "timezone = 'Mars/Base'\n", "field 'timezone': unknown time zone"),
        (GOOD + "body_selector = 'div['\n", "bad CSS selector 'div['"),
        (GOOD + "[crawl]\nconcurrency = 100000\n", "[crawl]: field 'concurrency' must be between"),
        ("[[source]]\nstart_urls = ['http://x/']\n", "source #1: field 'name' is required"),
        ("[[source]]\nname = 'x'\n", "source 'x': needs at least one of"),
        (GOOD + GOOD, "source 'site': field 'name': defined twice"),
        ("[[source]\nname=", "not valid TOML"),
        ("[sources]\n", "unknown table 'sources'"),
    ],
)
def test_mistakes_are_named(text, message):
    with pytest.raises(ConfigError, match=None) as caught:
        parse_config(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_cli_exits_2_with_one_line_before_any_request(tmp_path):
    config = tmp_path / "sources.toml"
    # The URL would hang if it were fetched: nothing listens on port 9 of a reserved address.
    config.write_text(
        GOOD.replace("https://news.example.org/", "http://127.0.0.1:9/") + "oops = 1\n"
    )
    db = tmp_path / "archive.db"
    result = subprocess.run(
        [sys.executable, "-m", "scraper.cli", "crawl", "--config", str(config), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {config}: source 'site': unknown field 'oops' (known: name, start_urls, feeds, "
        "sitemaps, allowed_domains, article_allow, article_deny, max_depth, body_selector, "
        "remove_selectors, timezone, local, recheck_hours)"
    ]
    assert not db.exists()


def test_missing_config_file(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scraper.cli", "crawl", "--config", str(tmp_path / "nope.toml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot read config" in result.stderr
