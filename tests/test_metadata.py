"""Metadata journalists filter on: every field of every page in the metadata test set,
the user's seed page, and the rules behind dates, bylines and language."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from test_extract_families import _paras
from test_extract_languages import PAGES

import demo
from scraper.extract import extract
from scraper.extract.authors import split_byline
from scraper.extract.dates import date_from_url, isoformat, parse_date, to_utc
from scraper.extract.language import detect_language, normalize_code

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "metadata"
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
CASES = json.loads((FIXTURES / "expected.json").read_text("utf-8"))
FETCHED = datetime(2023, 12, 6, 12, 0, tzinfo=UTC)


def test_the_set_is_large_and_varied() -> None:
    languages = {case["expected"]["language"] for case in CASES.values()}
    assert len(CASES) >= 60
    assert {"en", "ru", "uk"} <= languages and len(languages) >= 5


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_field_of_every_page(name: str) -> None:
    case = CASES[name]
    article = extract(
        (FIXTURES / f"{name}.html").read_bytes(),
        case["url"],
        fetched_at=datetime.fromisoformat(case["fetched_at"]),
        timezone=case["timezone"],
    )
    got = {field: getattr(article, field) for field in case["expected"]}
    assert got == case["expected"]


@pytest.mark.skipif(not (SHARED / "fixtures" / "seed-ru-news").is_dir(), reason="no ../shared")
def test_seed_page_matches_what_the_user_expects() -> None:
    seed = SHARED / "fixtures" / "seed-ru-news"
    expected = json.loads((seed / "expected.json").read_text("utf-8"))
    article = extract((seed / "page.html").read_bytes(), expected["url"], fetched_at=FETCHED)
    for field in ("title", "authors", "published", "modified", "language", "section", "tags",
                  "image", "canonical_url"):  # fmt: skip
        assert getattr(article, field) == expected[field], field


@pytest.mark.skipif(not (SHARED / "datasets" / "cyrillic-dev").is_dir(), reason="no ../shared")
def test_russian_and_ukrainian_pages_are_told_apart() -> None:
    root = SHARED / "datasets" / "cyrillic-dev"
    gold = json.loads((root / "gold.json").read_text("utf-8"))
    wrong = [
        page["id"]
        for page in gold
        if extract(gzip.decompress((root / page["file"]).read_bytes())).language != page["lang"]
    ]
    assert wrong == []


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("5 декабря 2023, 14:37", "Europe/Moscow", "2023-12-05T14:37:00+03:00"),
        ("5 грудня 2023 року", "Europe/Kyiv", "2023-12-05"),
        ("December 5, 2023", None, "2023-12-05"),
        ("05.12.2023", None, "2023-12-05"),
        ("Опубліковано 5 грудня 2023 року, 10:15", "Europe/Kyiv", "2023-12-05T10:15:00+02:00"),
        ("2023-12-05T14:37:00Z", None, "2023-12-05T14:37:00+00:00"),
        ("2023-12-05 14:37:00", "America/New_York", "2023-12-05T14:37:00-05:00"),
        ("2023-12-05 14:37:00", None, "2023-12-05T14:37:00"),
        ("Tue, 05 Dec 2023 14:37:00 GMT", None, "2023-12-05T14:37:00+00:00"),
        ("Dec 5, 2023 2:37 pm", "Europe/London", "2023-12-05T14:37:00+00:00"),
        # Relative dates count back from the fetch (12:00 UTC on 6 December).
        ("вчера", "Europe/Moscow", "2023-12-05"),
        ("yesterday", None, "2023-12-05"),
        ("2 часа назад", "Europe/Moscow", "2023-12-06T13:00:00+03:00"),
        ("3 години тому", None, "2023-12-06T09:00:00+00:00"),
        ("вчора о 14:20", "Europe/Kyiv", "2023-12-05T14:20:00+02:00"),
    ],
)
def test_dates_as_pages_write_them(text: str, zone: str | None, expected: str) -> None:
    value = parse_date(text, fetched_at=FETCHED, timezone=zone)
    assert value is not None and isoformat(value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "15",
        "Подписывайтесь на наш канал",
        "x" * 200,
        # A reading time is no "8 minutes ago".
        "8 minutes",
        "Tech Content 5 min read",
        "7 минут чтения",
        "3 хвилини читання",
    ],
)
def test_what_is_not_a_date_gives_none(text: str) -> None:
    assert parse_date(text, fetched_at=FETCHED) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/2023/12/05/slug/", date(2023, 12, 5)),
        ("https://a.example/news/slug-2023-12-05.html", date(2023, 12, 5)),
        ("https://a.example/20231205/slug-1913.html", date(2023, 12, 5)),
        ("https://www.politifact.com/wv/statements/2019/nov/18/who/slug/", date(2019, 11, 18)),
        ("https://a.example/news/2023/13/45/slug", None),
        ("https://a.example/news/12345/slug", None),
    ],
)
def test_date_in_the_url(url: str, expected: date | None) -> None:
    assert date_from_url(url) == expected


def test_utc_copy_for_sorting() -> None:
    assert to_utc("2023-12-05T14:37:00+02:00") == "2023-12-05T12:37:00+00:00"
    assert to_utc("2023-12-05") == "2023-12-05"
    assert to_utc(None) is None


def _page(head: str, body: str = "") -> bytes:
    return f"<html><head>{head}</head><body><h1>Bus plan</h1>{body}</body></html>".encode()


def test_future_published_is_rejected_for_a_weaker_source() -> None:
    html = _page(
        '<script type="application/ld+json">{"@type":"NewsArticle",'
        '"datePublished":"2030-01-01T00:00:00Z"}</script>'
        '<meta property="article:published_time" content="2023-12-05T10:00:00+00:00">'
    )
    assert extract(html, fetched_at=FETCHED).published == "2023-12-05T10:00:00+00:00"


def test_published_after_modified_is_kept() -> None:
    # Some CMSs write a modified time earlier than the published one; both are evidence.
    html = _page(
        '<meta property="article:published_time" content="2023-12-05T18:00:00+00:00">'
        '<meta property="article:modified_time" content="2023-12-05T12:00:00+00:00">'
    )
    article = extract(html, fetched_at=FETCHED)
    assert (article.published, article.modified) == (
        "2023-12-05T18:00:00+00:00",
        "2023-12-05T12:00:00+00:00",
    )


def test_a_naive_time_is_not_dropped_against_a_modified_time_with_an_offset() -> None:
    html = _page(
        '<meta property="article:published_time" content="2026-05-13 15:44">'
        '<meta property="article:modified_time" content="2026-05-13T15:44:29+02:00">'
    )
    article = extract(html, fetched_at=datetime(2026, 5, 14, tzinfo=UTC))
    assert article.published == "2026-05-13T15:44:00"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        # A time alone is not a date: the day comes from elsewhere (here the URL).
        ('<time datetime="11:02">11:02</time>', "2023-11-30"),
        # A date shown under the headline in a plain element, on a page without metadata.
        ("<span>4 грудня 2023</span>", "2023-12-04"),
        ("<div><span>December 4, 2023</span></div>", "2023-12-04"),
        # "Вчера в 9:10" is counted from the fetch (12:00 UTC on 6 December).
        ('<span class="date">Вчера в 9:10</span>', "2023-12-05T09:10:00+03:00"),
        # A numeric date reads both ways; the markup's own date settles it.
        (
            '<meta name="date" content="2023-05-12"><span class="date">12.05.2023</span>',
            "2023-05-12",
        ),
    ],
)
def test_visible_dates_beside_the_headline(markup: str, expected: str) -> None:
    html = (
        "<html><body><h1>Новина дня</h1>" + markup + "<p>" + "Текст новини. " * 40 + "</p>"
        "<footer>© 2023 Редакція</footer></body></html>"
    ).encode()
    url = "https://news.example/2023/11/30/novyna" if "11:02" in markup else "https://x.example/a"
    article = extract(html, url, fetched_at=FETCHED, timezone="Europe/Moscow")
    assert article.published == expected


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        # WordPress's "posted-on" box holds both times; the update is hidden by its CSS.
        (
            '<span class="posted-on"><time class="updated">May 21, 2025</time>'
            '<time class="entry-date published">April 24, 2025</time></span>',
            "2025-04-24",
        ),
        # The update is shown first, labelled by the text before it.
        (
            "<div>Обновлено: <span>21 августа 2025</span></div>"
            "<div>Опубликовано: <span>26 апреля 2023</span></div>",
            "2023-04-26",
        ),
        (
            "<p>Оновлено <b>21.08.2025</b> · Опубліковано <b>26.04.2023</b></p>",
            "2023-04-26",
        ),
    ],
    ids=["en", "ru", "uk"],
)
def test_a_page_showing_both_dates_was_published_on_the_first(shown: str, expected: str) -> None:
    html = _page("", shown + "<p>" + "The council met again. " * 30 + "</p>")
    article = extract(html, "https://x.example/plan", fetched_at=FETCHED.replace(year=2026))
    assert article.published == expected


def test_a_copyright_year_is_not_a_publication_day() -> None:
    html = (
        "<html><body><h1>Bus plan</h1><p>" + "The council met again. " * 30 + "</p>"
        "<footer>Copyright © 2023 Daily Herald</footer></body></html>"
    ).encode()
    assert extract(html, "https://x.example/bus-plan", fetched_at=FETCHED).published is None


def test_htmldate_finds_a_date_the_markup_does_not_state() -> None:
    html = (
        "<html><body><h1>Bus plan</h1><p>" + "The council met again. " * 30 + "</p>"
        '<div class="entry-meta">Posted 2023-11-28 by the desk</div>'
        "<p>" + "More text follows here. " * 30 + "</p></body></html>"
    ).encode()
    assert extract(html, "https://x.example/bus-plan", fetched_at=FETCHED).published == (
        "2023-11-28"
    )


# --- authors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("By Jane Doe, Senior Correspondent | December 5, 2023", ["Jane Doe"]),
        ("Автор: Ирина Коваленко", ["Ирина Коваленко"]),
        ("Анна Смирнова и Олег Иванов", ["Анна Смирнова", "Олег Иванов"]),
        ("Олена Шевченко та Андрій Коваль", ["Олена Шевченко", "Андрій Коваль"]),
        ("Андрій Коваль, кореспондент", ["Андрій Коваль"]),
        ("Текст: Михаил ДЕРИШЕВ", ["Михаил Деришев"]),
        ("BY JOHN SMITH", ["John Smith"]),
        ("Ludwig van Beethoven in Vienna", ["Ludwig van Beethoven"]),
        ("jane@example.com", []),
        ("РИА PrimaMedia. Последние новости Владивостока", []),
        # Several people in one byline, the last after ", and" / "та".
        (
            "By Alex David, Sara Hahn, and Julian K. Arni",
            ["Alex David", "Sara Hahn", "Julian K. Arni"],
        ),
        (
            "Олена Шевченко, Андрій Коваль та Ігор Мельник",
            ["Олена Шевченко", "Андрій Коваль", "Ігор Мельник"],
        ),  # fmt: skip
        ("Петр СИНЯЕВ, Анна КОВАЛЕВА", ["Петр Синяев", "Анна Ковалева"]),
        # Picture credits, stock agencies and screenshots are not authors.
        ("Фото: Петр Синяев", []),
        ("Фото: Imago", []),
        ("Imago", []),
        ("© Ura.Ru", []),
        ("Скриншот: Telegram-канал", []),
        ("Скріншот відео", []),
        ("Photo: Wirestock Creators", []),
        ("Getty Images", []),
        # Code and user names are not names.
        (".wp-block-post-author{box-sizing:border-box}", []),
        # A date beside the name, after it or before it; initials without dots.
        ("Andrew Gerrand 4 August 2010", ["Andrew Gerrand"]),
        ("Dec 17, 2025 Julian K. Arni", ["Julian K. Arni"]),
        # A job title after the name, with no comma between them.
        ("Meghan Neville Content Marketing Coordinator", ["Meghan Neville"]),
        ("Jane Doe Staff Writer", ["Jane Doe"]),
        ("Іван Петренко головний редактор", ["Іван Петренко"]),
        ("Ирина Коваленко Главный редактор", ["Ирина Коваленко"]),
        # A byline box holding only its date names nobody ("Sat").
        ("Sat, 20 Dec, 2025 - 06:36", []),
        ("Пт, 5 декабря 2025", []),
        ("Петр СИНЯЕВ 5 декабря 2023", ["Петр Синяев"]),
        ("5 грудня 2023 року Ірина Коваленко", ["Ірина Коваленко"]),
        ("5. Dezember 2023 Max Muster", ["Max Muster"]),
        ("5 de diciembre de 2023 - 14:35 Ana García", ["Ana García"]),
        ("By PJ Hamel", ["PJ Hamel"]),
        ("Nicholas C Stabile", ["Nicholas C Stabile"]),
        ("Contributors: Janet Loughrey", ["Janet Loughrey"]),
        # The names follow the label wherever it sits in the byline.
        ("Updated January 8, 2026 Written by Jane Doe", ["Jane Doe"]),
        ("Обновлено 5 декабря 2023 | Автор: Ирина Коваленко", ["Ирина Коваленко"]),
    ],
)
def test_bylines_are_cleaned_to_names(byline: str, names: list[str]) -> None:
    assert split_byline(byline) == names


def test_organisations_are_kept_apart_from_people() -> None:
    html = _page(
        '<script type="application/ld+json">{"@type":"NewsArticle","author":['
        '{"@type":"Person","name":"Nina Petrova"},{"@type":"Organization","name":"Reuters"},'
        '{"@type":"Person","name":"Desk News Staff"}]}</script>'
    )
    article = extract(html, fetched_at=FETCHED)
    assert article.authors == ["Nina Petrova"]
    assert article.organizations == ["Reuters", "Desk News Staff"]


@pytest.mark.parametrize(
    ("byline", "agency"),
    [
        ("ТАСС", "ТАСС"),
        ("Reuters", "Reuters"),
        ("dpa", "dpa"),
        ("Укрінформ", "Укрінформ"),
        # "ИА" / "ІА" is the word for a news agency, never a person's initials.
        ("ИА Regnum", "ИА Regnum"),
        ("ІА Вчасно", "ІА Вчасно"),
        # Whatever a labelled byline credits when it names no person: a company, a group.
        ("By: FlowGuard EMEA on 4 Aug 2021", "FlowGuard EMEA"),
        ("Автор: Группа ЛСР", "Группа ЛСР"),
        ("Автор: Медіагрупа UKR", "Медіагрупа UKR"),
    ],
)
def test_an_agency_alone_in_the_byline_is_found_among_the_authors(byline, agency) -> None:
    # A journalist filtering by byline finds wire copy under the agency's name.
    html = _page("", f'<div class="byline">{byline}</div>')
    article = extract(html, fetched_at=FETCHED)
    assert (article.authors, article.organizations) == ([agency], [agency])


@pytest.mark.parametrize("line", ["By clicking Submit you agree", "By Senior Correspondent"])
def test_a_labelled_line_naming_no_one_credits_no_organisation(line: str) -> None:
    html = _page("", f"<p>{line}</p><p>{'The council met again. ' * 30}</p>")
    assert extract(html, fetched_at=FETCHED).authors == []


@pytest.mark.parametrize(
    ("stated", "line", "names"),
    [
        (
            '<script type="application/ld+json">{"@type":"Article","author":{"name":"Jane Doe"}}'
            "</script>",
            "Written by Dr Jane Doe, John Roe and Ann Lee",
            ["Dr Jane Doe", "John Roe", "Ann Lee"],
        ),
        (
            '<meta name="author" content="Анна Смирнова">',
            "<b>Авторы:</b> Анна Смирнова и Олег Иванов",
            ["Анна Смирнова", "Олег Иванов"],
        ),
        (
            '<meta name="author" content="Олена Шевченко">',
            "Автори: Олена Шевченко, Андрій Коваль",
            ["Олена Шевченко", "Андрій Коваль"],
        ),
        # A company after the comma is no co-author: the stated author stands.
        (
            '<meta name="author" content="Chris Radich">',
            "By Chris Radich, UiPath",
            ["Chris Radich"],
        ),
    ],
    ids=["en", "ru", "uk", "company"],
)
def test_the_byline_shown_names_every_author_the_author_field_starts(
    stated: str, line: str, names: list[str]
) -> None:
    html = _page(stated, f"<p>{line}</p><p>{'The council met again. ' * 30}</p>")
    assert extract(html, fetched_at=FETCHED).authors == names


def test_a_person_beats_an_agency_in_the_byline() -> None:
    html = _page('<meta name="author" content="Reuters">', '<div class="byline">By Jane Doe</div>')
    article = extract(html, fetched_at=FETCHED)
    assert (article.authors, article.organizations) == (["Jane Doe"], ["Reuters"])


def test_a_lower_case_author_field_is_a_name_but_visible_lower_case_text_is_not() -> None:
    assert extract(
        _page('<meta name="author" content="kirstin boatto">'), fetched_at=FETCHED
    ).authors == ["kirstin boatto"]
    assert (
        extract(_page("", '<div class="author">read more</div>'), fetched_at=FETCHED).authors == []
    )


@pytest.mark.parametrize(
    ("signature", "names"),
    [
        ("Петр СИНЯЕВ", ["Петр Синяев"]),
        ("Автор: Ірина Коваленко", ["Ірина Коваленко"]),
        ("Text: Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Фото: Иван ПЕТРОВ", []),
        ("Thanks for reading", []),
    ],
)
def test_a_byline_at_the_end_of_the_text(signature: str, names: list[str]) -> None:
    paragraphs = "".join(f"<p>{'Текст статьи без подписи в начале. ' * 12}</p>" for _ in range(3))
    html = f"<html><body><h1>Новость</h1>{paragraphs}<p>{signature}</p></body></html>"
    assert extract(html.encode(), fetched_at=FETCHED).authors == names


def test_an_author_box_under_the_article() -> None:
    filler = "".join(f"<p>{'Text of the article goes on. ' * 12}</p>" for _ in range(30))
    html = (
        f"<html><body><article><h1>Bus plan</h1>{filler}"
        '<div class="post-author"><span class="name">Toby Hale</span></div></article>'
        '<aside class="sidebar"><span class="author">Kim Lee</span></aside></body></html>'
    )
    assert extract(html.encode(), fetched_at=FETCHED).authors == ["Toby Hale"]


@pytest.mark.parametrize(
    ("link", "name"),
    [
        ("All articles by Toby Hale", "Toby Hale"),
        ("Все статьи автора Иван Петров", "Иван Петров"),
        ("Всі статті автора Олена Шевченко", "Олена Шевченко"),
    ],
)
def test_the_author_box_link_to_all_their_articles(link: str, name: str) -> None:
    filler = "".join(f"<p>{'Text of the article goes on. ' * 12}</p>" for _ in range(30))
    html = (
        f"<html><body><article><h1>Bus plan</h1>{filler}"
        f"<div><p>{name}</p><button><span>{link}</span></button></div></article></body></html>"
    )
    assert extract(html.encode(), fetched_at=FETCHED).authors == [name]


def test_a_page_layout_with_a_sidebar_does_not_hide_the_byline() -> None:
    # The body's classes name the layout; only a sidebar element holds other articles.
    html = (
        '<html><body class="single nv-sidebar-right"><h1>Bus plan</h1>'
        '<div class="post_author_name">Oleg Parashchak</div>'
        f"<p>{'The council met again. ' * 30}</p></body></html>"
    )
    assert extract(html.encode(), fetched_at=FETCHED).authors == ["Oleg Parashchak"]


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Jerry Chu", ["Jerry Chu"]),
        ("Автор: Ірина Коваленко", ["Ірина Коваленко"]),
        ("Текст: Анна Смирнова и Олег Иванов", ["Анна Смирнова", "Олег Иванов"]),
        ("Text size", []),
    ],
)
def test_a_labelled_byline_near_the_headline_in_any_markup(line: str, names: list[str]) -> None:
    html = (
        f"<html><body><h1>Новина</h1><div><p>{line}</p></div><p>{'Текст. ' * 40}</p></body></html>"
    )
    assert extract(html.encode(), fetched_at=FETCHED).authors == names


@pytest.mark.parametrize(
    ("line", "names"),
    [
        # The label and the names in separate elements: a link, a span, a bold label.
        ('By <a href="/producers/jerry-chu">Jerry Chu</a>', ["Jerry Chu"]),
        ("<span>Автор:</span><span>Ірина Коваленко</span>", ["Ірина Коваленко"]),
        (
            "<b>Текст:</b> Анна Смирнова и <a href='/p/1'>Олег Иванов</a>",
            ["Анна Смирнова", "Олег Иванов"],
        ),
        ('<span class="label">by </span><p><a href="/p/2">Jane Doe</a></p>', ["Jane Doe"]),
        # A bare label with no names after it names nobody.
        ("<span>By</span><span>the council's own account</span>", []),
    ],
    ids=["en-link", "uk-span", "ru-bold", "en-nested", "no-names"],
)
def test_a_byline_label_and_its_names_in_separate_elements(line: str, names: list[str]) -> None:
    html = f"<html><body><h1>Новина</h1><div>{line}</div><p>{'Текст. ' * 40}</p></body></html>"
    assert extract(html.encode(), fetched_at=FETCHED).authors == names


def test_a_labelled_byline_under_the_article_in_any_markup() -> None:
    filler = "".join(f"<p>{'Text of the article goes on. ' * 12}</p>" for _ in range(70))
    html = (
        f"<html><body><h1>Bus plan</h1>{filler}<h3>Written by Cassidy Horton</h3>"
        f"<p>{'Cassidy writes about money and the people who save it. ' * 3}</p></body></html>"
    )
    assert extract(html.encode(), fetched_at=FETCHED).authors == ["Cassidy Horton"]


@pytest.mark.parametrize(
    ("link", "names"),
    [
        ('<a href="/blog/author/moses-kim/">Moses Kim and Kate Shokurova</a>',
         ["Moses Kim", "Kate Shokurova"]),
        ('<a href="https://x.example/avtor/olena-shevchenko">Олена Шевченко</a>',
         ["Олена Шевченко"]),
        ('<a href="/authors/anna-smirnova">Анна Смирнова</a>', ["Анна Смирнова"]),
        # A link to a tag or a section is no byline.
        ('<a href="/tag/transport/">Bus Lanes</a>', []),
    ],
)  # fmt: skip
def test_a_link_to_the_author_page_is_the_byline(link: str, names: list[str]) -> None:
    html = f"<html><body><h1>Bus plan</h1><div>{link}</div><p>{'Text. ' * 40}</p></body></html>"
    assert extract(html.encode(), fetched_at=FETCHED).authors == names


def test_the_author_named_by_a_link_preview_label() -> None:
    html = _page(
        '<meta name="twitter:label1" content="Written by">'
        '<meta name="twitter:data1" content="Nawaz Dhandala">'
        '<meta name="twitter:label2" content="Est. reading time">'
        '<meta name="twitter:data2" content="8 minutes">'
    )
    assert extract(html, fetched_at=FETCHED).authors == ["Nawaz Dhandala"]


def test_an_organisation_in_the_author_field_is_the_byline() -> None:
    article = extract(_page('<meta name="author" content="CBC Bank">'), fetched_at=FETCHED)
    assert (article.authors, article.organizations) == (["CBC Bank"], ["CBC Bank"])


@pytest.mark.parametrize(
    "heading",
    [
        '<h3 id="written-communication">Written Communication</h3>',
        '<h2 id="author-notes">Author Notes</h2>',
        '<h2 id="avtorskie-prava">Авторські Права Редакції</h2>',
    ],
)
def test_a_heading_whose_id_names_a_byline_is_no_byline(heading: str) -> None:
    # A heading's id is its text as a slug, not a class that marks a byline.
    html = (
        f"<html><body><h1>Bus plan</h1><p>{'The council met again. ' * 30}</p>{heading}"
        f"<p>{'Then it voted. ' * 30}</p></body></html>"
    )
    assert extract(html.encode(), fetched_at=FETCHED).authors == []


def test_bylines_in_the_sidebar_are_not_the_authors() -> None:
    html = _page("", '<aside class="sidebar"><span class="author">Kim Lee</span></aside>')
    assert extract(html, fetched_at=FETCHED).authors == []


# --- language --------------------------------------------------------------------------

RU = "Минобороны Казахстана в конце ноября заявило, что уже идет процесс выбора предприятия."
UK = "Міністерство оборони Казахстану наприкінці листопада заявило, що вже триває вибір."


def test_russian_and_ukrainian_text() -> None:
    assert detect_language(RU) == "ru"
    assert detect_language(UK) == "uk"


def test_text_overrules_a_wrong_declaration_but_short_text_does_not() -> None:
    assert detect_language(UK, hint="ru-RU") == "uk"
    assert detect_language("OK", hint="uk_UA") == "uk"


@pytest.mark.parametrize(
    ("declared", "code"),
    [("ru-RU", "ru"), ("uk_UA", "uk"), ("ua", "uk"), ("EN-us", "en"), ("", None)],
)
def test_declared_codes_are_normalised(declared: str, code: str | None) -> None:
    assert normalize_code(declared) == code


def test_broken_json_ld_still_gives_the_headline() -> None:
    html = _page(
        '<script type="application/ld+json">{"@type":"NewsArticle",'
        '"headline":"Mayor: "We heard you" on buses","datePublished":"2023-12-05"</script>'
    )
    article = extract(html, fetched_at=FETCHED)
    assert (article.title, article.published) == ('Mayor: "We heard you" on buses', "2023-12-05")


def test_every_demo_article_states_metadata_we_read():
    """The bundled demo sites, fetched over HTTP: each field the page states comes out."""
    for page in demo.fetch_articles():
        article = extract(page.html, **page.extract_kwargs)
        got = {field: getattr(article, field) for field in page.metadata}
        assert got == page.metadata, (page.source, page.path)


@pytest.mark.parametrize(
    ("dateline", "language", "expected"),
    [
        ("КИЕВ, 5 декабря 2023, 14:37 — Нацбанк", "ru", "2023-12-05T14:37:00+02:00"),
        ("Львів, 5 грудня 2023 року. Міська рада", "uk", "2023-12-05"),
        ("LONDON, December 5, 2023 - The Bank of England", "en", "2023-12-05"),
        ("Опубликовано 05.12.2023 в 09:15. Правительство", "ru", "2023-12-05T09:15:00+02:00"),
    ],
)
def test_published_date_from_the_text_is_the_last_resort(dateline, language, expected):
    body = " ".join([dateline] + ["Текст новости без даты в разметке, длинный абзац."] * 12)
    html = f"<html><body><h1>Новость без даты</h1><p>{body}</p></body></html>".encode()
    fetched = datetime(2023, 12, 6, 12, 0, tzinfo=UTC)
    article = extract(html, "https://x.example/news/1", fetched_at=fetched, timezone="Europe/Kyiv")
    assert article.published == expected


@pytest.mark.parametrize(
    ("language", "dateline", "expected"),
    [
        ("de", "Dienstag, 5. Dezember 2023, 14:35 Uhr", "2023-12-05T14:35:00+01:00"),
        ("fr", "le 5 décembre 2023 à 14h35", "2023-12-05T14:35:00+01:00"),
        ("es", "martes, 5 de diciembre de 2023 - 14:35", "2023-12-05T14:35:00+01:00"),
        ("it", "martedì 5 dicembre 2023 alle ore 14:35", "2023-12-05T14:35:00+01:00"),
        ("nl", "dinsdag 5 december 2023 om 14:35", "2023-12-05T14:35:00+01:00"),
        ("pl", "5 grudnia 2023 r.", "2023-12-05"),
        ("pt", "terça-feira, 5 de dezembro de 2023 às 14h35", "2023-12-05T14:35:00+01:00"),
    ],
)
def test_a_european_dateline_dates_a_page_that_shows_no_other_date(language, dateline, expected):
    """The page declares neither a date nor its language: the dateline under the headline,
    which the body leaves out, is the publication date, read in its own language."""
    story = PAGES[language].story
    html = (
        f"<html><body><h1>{story[0][:40]}</h1><p>{dateline}</p>{_paras(story)}</body></html>"
    ).encode()
    fetched = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
    article = extract(
        html, "https://x.example/news/1", fetched_at=fetched, timezone="Europe/Berlin"
    )
    assert (article.published, dateline in article.body) == (expected, False)


def test_a_date_in_the_text_never_beats_the_markup():
    html = (
        b'<html><head><meta property="article:published_time" content="2023-12-01T10:00:00Z">'
        b"</head><body><h1>T</h1><p>"
        + b"On December 5, 2023 a thing happened. " * 10
        + b"</p></body></html>"
    )
    article = extract(html, "https://x.example/a", fetched_at=datetime(2023, 12, 6, tzinfo=UTC))
    assert article.published == "2023-12-01T10:00:00+00:00"


@pytest.mark.parametrize(
    "sentence",
    [
        "Am 5. Dezember 2023 beschloss der Rat die Sanierung der Brücke.",
        "5 декабря 2023 года совет решил начать ремонт моста.",
        "On December 5, 2023 the council voted to repair the bridge.",
    ],
)
def test_a_sentence_with_a_date_under_the_headline_is_not_the_page_date(sentence: str):
    """A short first paragraph that mentions a day tells of the event, not the publication:
    the date the markup states stands."""
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2023-12-08T10:00:00+01:00"}</script></head><body><article>'
        f"<h1>Die Brücke wird saniert</h1><p>{sentence}</p>{_paras(PAGES['de'].story)}"
        "</article></body></html>"
    ).encode()
    article = extract(html, "https://x.example/1", fetched_at=datetime(2024, 1, 10, tzinfo=UTC))
    assert article.published == "2023-12-08T10:00:00+01:00"


# --- titles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "h1", "expected"),
    [
        # The site's name after the headline, with the page's own headline to confirm it.
        ('<meta property="og:title" content="Взрыв газа в Подмосковье // НТВ.Ru">',
         "Взрыв газа в Подмосковье", "Взрыв газа в Подмосковье"),
        ('<meta property="og:title" content="Oil prices jump after OPEC cut - Reuters">'
         '<meta property="og:site_name" content="Reuters">', "", "Oil prices jump after OPEC cut"),
        # A dateline appended to the headline.
        ('<meta property="og:title" content="У Києві відкрили новий міст 04.01.12 15:59">',
         "", "У Києві відкрили новий міст"),
        # The one headline on the page wins over an SEO rewording of it.
        ('<meta property="og:title" content="Top 11 SEO Strategies | 2025 Guide">',
         "11 SEO Strategies to Boost Rankings", "11 SEO Strategies to Boost Rankings"),
    ],
)  # fmt: skip
def test_titles_lose_site_names_and_datelines(head: str, h1: str, expected: str) -> None:
    heading = f"<h1>{h1}</h1>" if h1 else ""
    html = f"<html><head>{head}</head><body>{heading}<p>{'Текст. ' * 40}</p></body></html>"
    assert extract(html.encode(), "https://x.example/a", fetched_at=FETCHED).title == expected


@pytest.mark.parametrize(
    ("og_title", "url", "expected"),
    [
        ("Index Funds: How to Invest | Vanguard", "https://investor.vanguard.com/a",
         "Index Funds: How to Invest"),
        ("Top 5 HR Tools in 2026 | DianaHR", "https://www.getdianahr.com/blog/a",
         "Top 5 HR Tools in 2026"),
        ("Курс рубля упал до минимума | Kommersant", "https://www.kommersant.ru/doc/1",
         "Курс рубля упал до минимума"),
        ("Київрада ухвалила бюджет – Ukrinform", "https://www.ukrinform.ua/rubric/1",
         "Київрада ухвалила бюджет"),
        # The host's name inside the headline itself stays.
        ("Vanguard cuts fees | Markets", "https://investor.vanguard.com/a",
         "Vanguard cuts fees | Markets"),
    ],
)  # fmt: skip
def test_a_site_name_is_known_by_the_host(og_title: str, url: str, expected: str) -> None:
    html = f'<html><head><meta property="og:title" content="{og_title}"></head><body></body></html>'
    assert extract(html.encode(), url, fetched_at=FETCHED).title == expected


@pytest.mark.parametrize(
    ("h1", "expected"),
    [
        ('<span class="kicker">Эксклюзив</span> Нацбанк снизил ставку', "Нацбанк снизил ставку"),
        ('<a class="rubric" href="/s">Політика</a> Київрада ухвалила бюджет',
         "Київрада ухвалила бюджет"),
        ('<span class="eyebrow">Exclusive:</span> Bank cuts its rate', "Bank cuts its rate"),
        # The story's tags after the headline, inside its element.
        ('Nissan shows its new Pathfinder<span class="b-tags"><span class="tag"><a href="/t/1">'
         'Concept cars</a></span><span class="tag"><a href="/t/2">Detroit</a></span></span>',
         "Nissan shows its new Pathfinder"),
        # A date or byline set inside the headline element.
        ('Bank cuts its rate <h3 class="date-info"><span class="posted-on">Posted on July 1, '
         '2024</span> <span class="byline">by Jane Doe</span></h3>', "Bank cuts its rate"),
    ],
)  # fmt: skip
def test_a_kicker_date_or_byline_in_the_headline_is_no_part_of_the_title(
    h1: str, expected: str
) -> None:
    html = f"<html><body><h1>{h1}</h1><p>{'Текст. ' * 40}</p></body></html>"
    assert extract(html.encode(), "https://x.example/a", fetched_at=FETCHED).title == expected


@pytest.mark.parametrize(
    ("headline", "h1", "expected"),
    [
        ("Houston's Hottest New Restaurants, December 2025", "Houston's Hottest New Restaurants",
         "Houston's Hottest New Restaurants"),
        ("Нацбанк снизил ключевую ставку: главное", "Нацбанк снизил ключевую ставку",
         "Нацбанк снизил ключевую ставку"),
        ("Київрада ухвалила бюджет міста (оновлено)", "Київрада ухвалила бюджет міста",
         "Київрада ухвалила бюджет міста"),
        # A heading that is only the start of a word is no headline.
        ("Bus plans approvedly", "Bus plans approved", "Bus plans approvedly"),
    ],
)  # fmt: skip
def test_the_headline_that_the_structured_title_extends(headline, h1, expected) -> None:
    # Two <h1>s (the site's logo is one), so neither is the page's single headline.
    head = f'<script type="application/ld+json">{{"@type":"NewsArticle","headline":"{headline}"}}'
    assert _title(head + "</script>", f"<h1>Daily Herald</h1><h1>{h1}</h1>") == expected


def _title(head: str, body: str, url: str = "https://x.example/a") -> str | None:
    """The title of a page of `head` and `body` markup, with a paragraph of text."""
    html = f"<html><head>{head}</head><body>{body}<p>{'Текст новости. ' * 20}</p></body></html>"
    return extract(html.encode(), url, fetched_at=FETCHED).title


@pytest.mark.parametrize(
    ("title", "headline", "expected"),
    [
        # The site's name before the headline, which the page sets as an h2, a box of text
        # or a table's header cell; the site's section and name head the page as <h1>s.
        ("NEWS.EXAMPLE :: Мэрия открыла новый мост через Сходню",
         "<h2>Мэрия открыла новый мост через Сходню</h2>",
         "Мэрия открыла новый мост через Сходню"),
        ("Городские вести в Москве: Мэрия открыла новый мост через Сходню",
         '<div class="head">Мэрия открыла новый мост через Сходню</div>',
         "Мэрия открыла новый мост через Сходню"),
        ("HARBOUR-POST : Council keeps the harbour library open",
         "<table><tr><th>Council keeps the harbour library open\n</th></tr></table>",
         "Council keeps the harbour library open"),
    ],
)  # fmt: skip
def test_the_headline_that_the_title_holds_beside_the_site_name(title, headline, expected):
    sections = '<h1>Новости</h1><h1><a href="/health">Медицина и здоровье</a></h1>'
    assert _title(f"<title>{title}</title>", sections + headline) == expected


@pytest.mark.parametrize(
    ("h1", "expected"),
    [
        # The logo's link, the site's name and a section, heads the page: og:title stays.
        ('<a href="/">Harbour Post - Culture</a>', "Council keeps the harbour library open"),
        # A dateline in the one headline shown is part of it.
        ("Opening Bell 11.18.19", "Opening Bell 11.18.19"),
    ],
)
def test_the_one_h1_is_the_title_unless_it_is_the_site_and_a_section(h1: str, expected: str):
    head = (
        '<meta property="og:title" content="Council keeps the harbour library open">'
        '<meta property="og:site_name" content="Harbour Post">'
    )
    assert _title(head, f"<h1>{h1}</h1>", "https://harbourpost.com/a") == expected


def test_a_box_of_the_first_words_of_the_title_is_no_headline():
    head = "<title>Президент Евгений Шевчук выразил соболезнования » Тирас</title>"
    title = _title(head, "<b>Президент Евгений Шевчук</b>")
    assert title == "Президент Евгений Шевчук выразил соболезнования"
