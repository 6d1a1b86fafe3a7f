"""Text decoded right whatever the page declares: the HTML standard's order for the BOM
and the HTTP header, and UTF-8 bytes read as UTF-8 even under a legacy <meta charset>
(saved pages, which have no HTTP header to set it right)."""

from __future__ import annotations

import codecs
import json

import pytest
from conftest import run_cli

from scraper.extract import extract

TITLES = {
    "ru": "Синоптики пообещали мокрый снег в выходные",
    "uk": "Київрада ухвалила бюджет міста на наступний рік",
    "en": "Café owners fear the new “tourist tax” will hurt",
    "es": "La sanción llega tras la investigación del ministerio",
}


def _page(title: str, charset: str) -> str:
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{title}. " + "Текст, text, текст. " * 30 + "</p></body></html>"
    )


@pytest.mark.parametrize("declared", ["windows-1251", "iso-8859-1", "koi8-r"])
@pytest.mark.parametrize("language", sorted(TITLES))
def test_utf8_bytes_under_a_legacy_meta_charset_are_read_as_utf8(language, declared) -> None:
    title = TITLES[language]
    article = extract(_page(title, declared).encode("utf-8"), "https://x.example/a")
    assert article.title == title


def test_a_page_really_in_its_legacy_charset_stays_in_it() -> None:
    title = TITLES["ru"]
    html = _page(title, "windows-1251").replace("“", '"').replace("”", '"')
    assert extract(html.encode("cp1251"), "https://x.example/a").title == title


def test_the_http_header_and_the_bom_still_come_first() -> None:
    title = TITLES["uk"]
    legacy = _page(title, "utf-8").encode("cp1251")  # the page lies, the header does not
    assert extract(legacy, "https://x.example/a", encoding="windows-1251").title == title
    with_bom = codecs.BOM_UTF16_LE + _page(title, "windows-1251").encode("utf-16-le")
    assert extract(with_bom, "https://x.example/a").title == title


def test_newsarchive_extract_reads_a_saved_page_as_utf8(tmp_path) -> None:
    saved = tmp_path / "saved.html"
    saved.write_bytes(_page(TITLES["es"], "iso-8859-1").encode("utf-8"))
    result = run_cli("extract", str(saved), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == TITLES["es"]
