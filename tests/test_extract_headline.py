"""The family "a short article, and the scorer picks another box" (issue #14).

On a news portal a brief of a few short paragraphs sits under its headline while other
boxes of the same page hold more paragraph text: a column of other news with long leads,
the newest readers' posts, a long text about the site. The page says what its headline is
(og:title, `<title>`), an element repeats it, and the body is what follows that element.
Each page here is hand-written, in an old table layout and a div layout, in Russian and
English; the other boxes carry no class or id that says what they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from scraper.extract import extract

URL = "https://example.com/2024/03/05/news-1234"


@dataclass
class Lang:
    headline: str
    site: str
    brief: list[str]  # the article: short paragraphs, 60-70 words in all
    other: str  # the lead of another story, longer than any paragraph of the brief
    section: str
    readers: str  # the heading of the readers' posts
    latest: str  # the heading of the column of other news
    about: str  # a sentence about the site


RU = Lang(
    headline="Мэрия открыла новый мост через Сходню",
    site="Городские вести",
    brief=[
        "Мэрия города открыла движение по новому мосту через реку Сходню после двух лет работ.",
        "Мост длиной сто двадцать метров соединил два района, которые раньше разделял объезд.",
        "По словам мэра, в первые выходные по мосту проедут около десяти тысяч машин в сутки.",
        "Автобусы двух городских маршрутов пойдут по мосту со следующего понедельника.",
    ],
    other=(
        "в области прошли учения спасателей, в которых приняли участие пожарные, врачи, "
        "водолазы и кинологи, а также добровольцы из соседних сёл, и по итогам учений "
        "руководство области решило закупить новую технику и катера"
    ),
    section="Раздел",
    readers="Пишут читатели",
    latest="Новости дня",
    about=(
        "Наше издание основано в 1998 году, пишет о жизни города, области и страны, "
        "публикует новости, интервью, репортажи и мнения читателей."
    ),
)
EN = Lang(
    headline="Council keeps the harbour library open",
    site="Harbour Post",
    brief=[
        "The city council voted on Tuesday to keep the old harbour library open for two years.",
        "The library had been due to close in June after the council ran out of repair money.",
        "A local trust will now pay for the roof, and volunteers will run the reading room.",
        "Opening hours stay the same, and the children's reading hour goes on every Saturday.",
    ],
    other=(
        "the regional rail operator said that trains, buses, and ferries would run on a "
        "winter timetable from Monday, with later first services, fewer late trains, and "
        "extra buses on the coast road while the line is repaired"
    ),
    section="Section",
    readers="Readers write",
    latest="Just in",
    about=(
        "The Harbour Post was founded in 1998 and reports on the town, the county and the "
        "coast, with news, interviews, features and the views of its readers."
    ),
)
LANGS = pytest.mark.parametrize("lang", [RU, EN], ids=["ru", "en"])


def _head(lang: Lang) -> str:
    return (
        '<html><head><meta charset="utf-8">'
        f"<title>{lang.headline} — {lang.site}</title>"
        f'<meta property="og:title" content="{lang.headline}"></head><body>'
    )


def _news(lang: Lang, n: int = 6) -> str:
    """Other stories: a linked headline and a long lead each."""
    return "".join(
        f'<p><a href="/news/{i}"><b>{lang.latest} {i}</b></a><br>{i}: {lang.other}.</p>'
        for i in range(n)
    )


def _posts(lang: Lang, n: int = 5) -> str:
    """Readers' posts, named as nothing: a name and time, then a long opinion."""
    return "".join(
        f"<p><i>{lang.readers} {i}, 14:0{i}</i><br>{i}: {lang.other}!</p>" for i in range(n)
    )


def _brief(lang: Lang) -> str:
    return "".join(f"<p>{t}</p>" for t in lang.brief)


def _table_page(lang: Lang, *, news: int = 6, posts: int = 5) -> str:
    """An old portal: three layout cells, the other news on the left, readers' posts on the
    right, the brief in the middle under a bold headline, a text about the site below."""
    menu = "".join(f'<a href="/r{n}">{lang.section} {n}</a> | ' for n in range(12))
    return (
        _head(lang) + f"<table><tr><td colspan=3>{menu}</td></tr>"
        f'<tr><td width="30%">{_news(lang, news)}</td>'
        '<td width="40%"><font size="1">05.03.2024 12:40</font><br>'
        f'<div style="font-size:18px"><b>{lang.headline}</b></div>{_brief(lang)}</td>'
        f'<td width="30%"><b>{lang.readers}</b>{_posts(lang, posts)}</td></tr>'
        f"<tr><td colspan=3><p>{' '.join([lang.about] * 3)}</p></td></tr></table>"
        "</body></html>"
    )


def _div_page(lang: Lang) -> str:
    """A modern portal: a column of other stories, each a linked headline and a long lead,
    then the brief under its h1 in the second column."""
    stories = "".join(
        f'<div class="c-item"><h3><a href="/s/{n}">{lang.latest} {n}</a></h3>'
        f"<p>{n}: {lang.other}.</p></div>"
        for n in range(6)
    )
    return (
        _head(lang) + '<div class="top"><a href="/">Home</a> <a href="/news">News</a></div>'
        f'<div class="grid"><div class="col-b"><h2>{lang.latest}</h2>{stories}</div>'
        f'<div class="col-a"><h1>{lang.headline}</h1>'
        f'<div class="when">5 March 2024</div><div class="txt">{_brief(lang)}</div></div></div>'
        "</body></html>"
    )


def _body(html: str) -> list[str]:
    body = extract(html.encode(), URL).body
    return body.split("\n\n") if body else []


@LANGS
@pytest.mark.parametrize("markup", ["p", "bare", "bare-b"])
def test_a_brief_under_its_bold_headline_in_a_layout_table_wins_over_bigger_cells(
    lang: Lang, markup: str
):
    page = _table_page(lang)
    if markup != "p":  # the brief as bare text in the cell, lines apart
        page = page.replace(_brief(lang), "<br><br>".join(lang.brief))
    if markup == "bare-b":  # the headline a bold line of the cell's text
        box = f'<div style="font-size:18px"><b>{lang.headline}</b></div>'
        page = page.replace(box, f"<b>{lang.headline}</b><br>")
    # The bold headline is a box of text like any other here (an h1 is kept apart).
    assert _body(page) == [lang.headline, *lang.brief]


@LANGS
def test_a_brief_under_its_h1_wins_over_a_column_of_long_leads_before_it(lang: Lang):
    assert _body(_div_page(lang)) == lang.brief


@LANGS
def test_a_brief_wins_over_the_bigger_cell_of_readers_posts_after_it(lang: Lang):
    # Two columns: the brief's, then the posts' with more text, which scores best.
    page = _table_page(lang).replace(f'<td width="30%">{_news(lang)}</td>', "")
    assert _body(page) == [lang.headline, *lang.brief]


@LANGS
def test_a_brief_is_not_padded_with_the_readers_posts_in_the_next_cell(lang: Lang):
    # The brief's cell wins on score here; the densest run of paragraph text would go on
    # through the posts beside it, and the article stops at the end of its own cell.
    page = _table_page(lang, news=1, posts=2).replace(_brief(lang), _brief(lang) * 2)
    assert _body(page) == [lang.headline, *lang.brief, *lang.brief]


@LANGS
def test_a_brief_that_wins_its_row_is_not_padded_with_the_next_cell(lang: Lang):
    # The brief's cell scores best on its many short sentences, but the cell beside it has
    # more text in a few long paragraphs: neither the siblings joining the best box nor
    # the densest run of paragraph text may take that column for the article going on.
    about = "".join(f"<p>{n} {' '.join([lang.about.replace(',', '')] * 4)}</p>" for n in range(3))
    page = (
        _head(lang) + '<table><tr><td width="60%">'
        f'<div style="font-size:18px"><b>{lang.headline}</b></div>{_brief(lang) * 2}</td>'
        f'<td width="40%">{about}</td></tr></table></body></html>'
    )
    assert _body(page) == [lang.headline, *lang.brief, *lang.brief]


@LANGS
def test_the_lead_of_another_story_before_the_headline_in_the_same_box_is_left_out(lang: Lang):
    # The box that scores best holds the headline, and before it another story's lead.
    page = (
        _head(lang) + f'<div class="wrap"><div class="x1"><p>{lang.other}.</p></div>'
        f'<h1>{lang.headline}</h1><div class="x2">{_brief(lang)}</div></div></body></html>'
    )
    assert _body(page) == lang.brief


@LANGS
def test_a_brief_widens_no_higher_than_the_box_of_its_headline(lang: Lang):
    # After the box of the headline and the brief, a paragraph about the site, somewhat
    # shorter than the brief: climbing to the page's wrapper would take it in as a section.
    words = (lang.about.replace(",", "") + " ").split() * 5
    size = 0.75 * sum(map(len, lang.brief * 2))
    about = " ".join(words[: next(i for i in range(len(words)) if len(" ".join(words[:i])) > size)])
    story = (
        f'<div class="x1"><h1>{lang.headline}</h1><div class="txt">{_brief(lang) * 2}</div></div>'
    )
    page = (
        _head(lang) + f'<div class="page"><div class="wrap">{story}</div>'
        f'<div class="x2"><p>{about}.</p></div></div></body></html>'
    )
    assert _body(page) == lang.brief * 2


@LANGS
def test_a_teaser_that_links_the_headline_to_its_own_page_is_no_anchor(lang: Lang):
    # The column of other news before the article opens with this very story, its
    # headline in bold as a link: the anchor is the headline that is no link.
    teaser = f'<p><a href="{URL}"><b>{lang.headline}</b></a><br>{lang.brief[0]}</p>'
    page = _table_page(lang).replace('<td width="30%">', f'<td width="30%">{teaser}', 1)
    assert _body(page) == [lang.headline, *lang.brief]


def test_a_sidebar_box_that_repeats_the_headline_is_no_anchor():
    # The headline is a bold box; a sidebar after the article repeats it as a heading, over
    # a paragraph that invites readers to republish the story.
    article = "".join(f"<p>{n}: {EN.other}, as the operator said on Friday.</p>" for n in range(4))
    sidebar = (
        f'<div class="sidebar"><div class="box"><h2>{EN.headline}</h2><p>{EN.about} Republish '
        "this story on your own site for free under our licence, with a link back to the "
        "original.</p></div></div>"
    )
    page = (
        _head(EN) + f'<div class="main"><div class="title"><b>{EN.headline}</b></div>'
        f"{article}</div>{sidebar}</body></html>"
    )
    assert _body(page)[1:] == [
        f"{n}: {EN.other}, as the operator said on Friday." for n in range(4)
    ]


def test_without_a_headline_on_the_page_the_scorer_decides():
    # No element repeats the title: the biggest box of prose wins, as before.
    page = _div_page(EN).replace(f"<h1>{EN.headline}</h1>", "")
    assert _body(page)[0] == EN.latest


# --- a generic stated title: the page's own headline is the title and the anchor --------
# On old portals the <title> (and on some modern sites og:title) names only a section or
# the site: "Новости дня", "Latest news | Harbour Post". The title is then the page's own
# headline element, and the body follows it as on any other page.


# The sites' addresses name them, as the page's host or its og:site_name do.
SITE_URLS = {
    "ru": "https://городскиевести.рф/2024/03/05/news-1234",
    "en": "https://www.harbourpost.com/2024/03/05/news-1234",
}


def _generic_head(lang: Lang, title: str, meta: str = "") -> str:
    return f'<html><head><meta charset="windows-1251"><title>{title}</title>{meta}</head><body>'


@LANGS
@pytest.mark.parametrize("generic", ["{news}", "{news} — {site}", "{site}"])
@pytest.mark.parametrize("box", ["bold", "h2"])
def test_an_old_portal_with_a_generic_title_gives_its_bold_or_h2_headline(
    lang: Lang, generic: str, box: str
):
    news = "Новости дня" if lang is RU else "Latest news"
    page = _table_page(lang).replace(
        _head(lang), _generic_head(lang, generic.format(news=news, site=lang.site))
    )
    # The section's name heads the page as its first <h1>, a link to another section under
    # it: neither is the story's headline.
    sections = f'<h1>{news}</h1><h1><a href="/s">{lang.section} 1</a></h1>'
    page = page.replace("<table>", sections + "<table>", 1)
    # A bold box over the links of the left column comes first, and opens no text.
    links = "<br>".join(f'<a href="/p{n}">{lang.section} {n}</a>' for n in range(8))
    column = f'<td width="30%"><b>{lang.section}: {lang.site} 2024</b><br>{links}'
    page = page.replace('<td width="30%">', column, 1)
    if box == "h2":
        page = page.replace(f"<b>{lang.headline}</b>", f"<h2>{lang.headline}</h2>")
    html = page.encode("cp1251", errors="xmlcharrefreplace")
    article = extract(html, SITE_URLS["ru" if lang is RU else "en"])
    assert article.title == lang.headline
    # The headline anchors the body: the brief, over the bigger cells of other news beside.
    assert article.body.split("\n\n")[-len(lang.brief) :] == lang.brief
    assert lang.other not in article.body


@LANGS
def test_a_modern_page_whose_og_title_is_the_site_name_gives_its_headline(lang: Lang):
    meta = (
        f'<meta property="og:title" content="{lang.site}">'
        f'<meta property="og:site_name" content="{lang.site}">'
    )
    page = _div_page(lang).replace(_head(lang), _generic_head(lang, lang.site, meta))
    logo = f'<h1 class="logo">{lang.site}</h1>'
    page = page.replace('<div class="grid">', logo + '<div class="grid">')
    article = extract(page.encode("cp1251", errors="xmlcharrefreplace"), URL)
    assert article.title == lang.headline
    assert article.body.split("\n\n") == lang.brief


def test_a_heading_that_names_a_box_is_no_headline_for_a_generic_title():
    # A story page with a generic title and no headline element of its own: the heading
    # of the related-stories box after the story is not the story's headline, and the
    # story is not cut at it.
    story = [
        "The town council voted on Tuesday to repair the old bridge over the river, with "
        "work to start in April and to cost twelve million.",
        "Traffic will keep one lane open at all times, the mayor said, and the ferry will run "
        "every twenty minutes while the work goes on.",
    ]
    related = (
        "<h3>You might also like</h3><p>New cycle lanes open in the old town centre</p>"
        "<p>Buses run to the timetable again after the strike ended</p>"
    )
    comments = "".join(
        f"<p>Reader {n}: the bridge has needed this for years, good that it happens now.</p>"
        for n in range(4)
    )
    page = (
        "<html><head><title>Latest news</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in story)
        + related
        + comments
        + "</article></body></html>"
    )
    article = extract(page.encode(), URL)
    assert article.title != "You might also like"
    assert article.body.split("\n\n")[:2] == story
