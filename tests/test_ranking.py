"""Ranked search as a reader judges it: a story about the word beats a passing mention,
a syndicated copy never outranks its original, and every match can be paged to."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from conftest import store
from test_datasette import result_titles
from test_search import article

from scraper.serve.runner import make_datasette

FILLER = {
    "ru": "Городской совет обсудил бюджет, ремонт дорог и работу транспорта в новом сезоне. ",
    "uk": "Міська рада обговорила бюджет, ремонт доріг і роботу транспорту в новому сезоні. ",
    "en": "The city council discussed the budget, road repairs and transport for the season. ",
}

# (language, query, the story about it, passing mentions): judged by hand, each passing
# mention says the word more often than the story, in a shorter text.
JUDGED = [
    ("ru", "беспилотник", "Завод начал выпуск беспилотников",
     "Литературную премию вручили в Харькове. Среди тем книг были беспилотники, "
     "беспилотник на обложке и беспилотнику посвящённая глава."),
    ("uk", "безпілотник", "Завод почав випуск безпілотників",
     "Виставку відкрили у Львові. Серед експонатів безпілотник, фото безпілотників "
     "і безпілотнику присвячена стіна."),
    ("en", "drone", "Factory starts drone production",
     "A literary prize was awarded in Leeds. Drones featured in one novel, a drone on its "
     "cover and drones in its title."),
]  # fmt: skip


def get(db_path: Path, path: str, **params) -> str:
    client = make_datasette(db_path).client
    response = asyncio.run(client.get(path, params=params) if params else client.get(path))
    assert response.status_code == 200, response.text[:500]
    return response.text


@pytest.mark.parametrize(("language", "query", "story", "mention"), JUDGED)
def test_the_story_about_a_word_outranks_passing_mentions(
    tmp_path, language, query, story, mention
):
    filler = FILLER[language] * 12
    mentions = [
        article(n, f"{FILLER[language].split(',')[0]} {n}", mention, language=language)
        for n in range(1, 4)
    ]
    about = article(4, story, filler + story + ".", language=language)
    # Most of an archive is about something else (else every word is in every article).
    others = [
        article(n, f"{n}: {FILLER[language][:40]}", FILLER[language] * n, language=language)
        for n in range(5, 15)
    ]
    db_path = tmp_path / "news.db"
    store(db_path, [about, *mentions, *others])
    assert result_titles(get(db_path, "/news/articles", _search=query))[0] == story


def test_a_copy_never_outranks_its_original(tmp_path):
    body = FILLER["ru"] * 6 + "Отдельно обсудили закупку беспилотника для мэрии."
    original = article(1, "Совет обсудил бюджет", body, source="city")
    copy = article(2, "Беспилотник для мэрии: совет обсудил бюджет", body, source="aggregator")
    db_path = tmp_path / "news.db"
    store(db_path, [original, copy])
    page = get(db_path, "/news/articles", _search="беспилотник")
    assert result_titles(page) == [original.title]  # the copy's headline would have ranked it first
    assert "Also published by aggregator" in page


def test_ranked_results_page_through_every_match(tmp_path, monkeypatch):
    from scraper.serve import plugin

    monkeypatch.setattr(plugin, "RANKED_RESULTS", 2)
    db_path = tmp_path / "news.db"
    store(
        db_path, [article(n, f"Беспилотник {n}", f"Сводка {n}: беспилотник.") for n in range(1, 6)]
    )
    seen, path, pages = [], "/news/articles?_search=беспилотник", 0
    while path:
        page = get(db_path, path.replace("&amp;", "&"))
        pages += 1
        seen += result_titles(page)
        assert "5 matches" in " ".join(page.split())
        found = re.search(r'class="next-page" href="([^"]+)"', page)
        path = found[1] if found else None
        assert ('class="previous-page"' in page) == (pages > 1)
    assert pages == 3
    assert sorted(seen) == [f"Беспилотник {n}" for n in range(1, 6)]


def test_a_word_in_the_lead_outranks_one_in_the_body(tmp_path):
    lead = article(1, "Отчёт совета", "Совет обсудил бюджет.", description="Мост закроют.")
    body = article(2, "Дороги", "Совет обсудил бюджет. Мост закроют на ремонт весной.")
    others = [article(n, f"Погода {n}", FILLER["ru"] * n) for n in range(3, 9)]
    db_path = tmp_path / "news.db"
    store(db_path, [body, lead, *others])
    assert result_titles(get(db_path, "/news/articles", _search="мост")) == [lead.title, body.title]
