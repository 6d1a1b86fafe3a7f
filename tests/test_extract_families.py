"""The failure families of unseen pages (issue #14), one small hand-written page each.

Each page is built so that the article would be lost, cut short or padded with boilerplate
if its family's rule were missing; the text is made up, no page of a dataset is used.
"""

from __future__ import annotations

import json

import pytest

from scraper.extract import extract

# Short paragraphs (under the 120 characters that make a "real" paragraph on their own).
SHORT = [
    f"Paragraph {n} of the story says what the council decided on the new bridge today."
    for n in range(1, 9)
]


def _page(article: str, *, before: str = "", after: str = "") -> bytes:
    return (
        "<html><head><title>Story</title></head><body>"
        f"{before}{article}{after}"
        "<footer><p>About us, contact, privacy policy and the terms of this site.</p></footer>"
        "</body></html>"
    ).encode()


def _paras(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def _body_paragraphs(html: bytes) -> list[str]:
    body = extract(html, "https://example.com/2024/05/01/story").body
    return body.split("\n\n") if body else []


def test_boilerplate_class_tokens_on_the_article_wrapper_do_not_prune_it():
    # WordPress puts the post's categories and tags on <article>: tokens that name
    # boilerplate boxes elsewhere ("category", "tag", "author", "meta").
    article = (
        f'<article class="category-business tag-markets author-jane meta">{_paras(SHORT)}</article>'
    )
    sidebar = '<div class="sidebar"><ul><li><a href="/a">Other story</a></li></ul></div>'
    assert _body_paragraphs(_page(article, after=sidebar)) == SHORT


def test_article_left_inside_an_unclosed_nav_by_broken_markup_is_kept():
    # The menu's <nav> is never closed, so the parser nests the whole article in it.
    nav = '<nav class="menu"><a href="/">Home</a> <a href="/news">News</a>'
    assert _body_paragraphs(_page(f"<main>{_paras(SHORT)}</main>", before=nav)) == SHORT


def test_article_streamed_into_a_hidden_container_is_kept():
    # React streams the page into <div hidden id="S:0"> and moves it into place by script.
    article = f'<div hidden id="S:0"><main>{_paras(SHORT)}</main></div>'
    assert _body_paragraphs(_page(article)) == SHORT


def test_article_streamed_in_hidden_chunks_keeps_every_chunk():
    # React's streamed chunks (<div hidden id="S:n">), none holding most of the text.
    chunks = (
        f'<div class="story"><div hidden id="S:0"><div>{_paras(SHORT[:4])}</div></div>'
        f'<div hidden id="S:1"><div>{_paras(SHORT[4:])}</div></div></div>'
    )
    assert _body_paragraphs(_page(chunks)) == SHORT


def test_hidden_box_of_a_few_lines_stays_hidden():
    hidden = '<div hidden id="modal"><p>Sign in to read this story and all our archive.</p></div>'
    assert _body_paragraphs(_page(f"<main>{_paras(SHORT)}</main>{hidden}")) == SHORT


SECTIONS = {
    "Why the bridge is needed": [
        "Traffic on the old crossing doubled in ten years, and the council says it cannot wait.",
        "Engineers found cracks in two piers last spring, which closed one lane for a month.",
    ],
    "What it will cost": [
        "The first estimate is forty million, shared between the city, the region and the state.",
        "Councillors asked for a second opinion, which will be ready before the summer recess.",
    ],
    "When the work starts": [
        "Building starts in March if the permits arrive, and the old bridge stays open meanwhile.",
        "The contractor expects to finish in two years, weather and supplies permitting.",
    ],
}


def _builder_section(title: str, paragraphs: list[str]) -> str:
    # Page builders wrap each section in its own row, column and block.
    return (
        '<div class="row"><div class="col"><div class="block"><div class="block-inner">'
        f"<h2>{title}</h2>{_paras(paragraphs)}</div></div></div></div>"
    )


def test_article_in_sibling_sections_keeps_every_section():
    sections = "".join(_builder_section(t, ps) for t, ps in SECTIONS.items())
    expected = [text for title, ps in SECTIONS.items() for text in (title, *ps)]
    assert _body_paragraphs(_page(f"<main>{sections}</main>")) == expected


LONG_STORY = [
    f"Part {n}: the regional court heard the appeal of the shipyard workers, whose contracts "
    "were ended without notice in the spring, and it asked the company for its accounts."
    for n in range(1, 9)
]


def test_itemprop_article_body_with_hundreds_of_words_wins_over_a_busier_block():
    # A ticker of short sentences with commas outscores the real body on paragraph counts.
    ticker = "".join(
        f"<p>Update {n}: talks, then a vote, then a recount, then another vote, then a rest.</p>"
        for n in range(40)
    )
    body = f'<div itemprop="articleBody">{_paras(LONG_STORY)}</div>'
    page = _page(f'<div class="layout"><section>{ticker}</section>{body}</div>')
    assert _body_paragraphs(page) == LONG_STORY


def test_json_ld_article_body_much_longer_than_the_markup_replaces_it():
    # The markup shows the lead only (the rest is loaded by script); JSON-LD has it all.
    ld = json.dumps(
        {"@type": "NewsArticle", "headline": "Story", "articleBody": "\n".join(LONG_STORY)}
    )
    page = _page(
        f'<script type="application/ld+json">{ld}</script><article><p>{LONG_STORY[0]}</p>'
        "<p><a href='/subscribe'>Subscribe to read the rest</a></p></article>"
    )
    assert _body_paragraphs(page) == LONG_STORY


RU_STORY = [
    "Городской совет утвердил план ремонта моста через реку, работы начнутся весной.",
    "По словам мэра, движение по мосту не будет закрыто полностью ни на один день.",
    "Стоимость работ оценивается в сорок миллионов рублей, деньги выделит область.",
]


def test_russian_news_tails_are_dropped():
    ticker = "".join(
        f"<p>{9 + n}:{10 + n} В регионе открыли новую школу номер {n}</p>" for n in range(12)
    )
    related = (
        "<p><strong>Ссылки по теме:</strong></p><ul>"
        "<li>Мост закрыли на ремонт</li><li>Совет обсудил бюджет города</li></ul>"
    )
    subscribe = (
        "<p>Подписка на рассылку</p>"
        "<p>Если вы заметили ошибку в тексте, выделите её и нажмите Ctrl-Enter</p>"
    )
    page = _page(f"<article>{_paras(RU_STORY)}{related}{subscribe}{ticker}</article>")
    assert _body_paragraphs(page) == RU_STORY


# A first part dense with commas, which outscores the rest of the article on its own.
LISTY = [
    f"Item {n}: bread, milk, eggs, flour, sugar, salt, butter, tea, rice, oil, and soap."
    for n in range(1, 4)
]
PLAIN = [
    f"Section {n} goes on with the story of the market in plain sentences and no lists at all "
    "so that each paragraph scores less than the short ones above it do on their commas."
    for n in range(1, 9)
]


def test_article_split_across_layout_table_rows_is_kept_whole():
    # Scoring takes the densest cell; the safety net sees the paragraph text run on
    # through the next row and takes the whole run.
    table = f"<table><tr><td>{_paras(LISTY)}</td></tr><tr><td>{_paras(PLAIN)}</td></tr></table>"
    menu = "".join(f'<a href="/s{n}">Section {n}</a> ' for n in range(20))
    assert _body_paragraphs(_page(table, before=f"<div>{menu}</div>")) == LISTY + PLAIN


# Each teaser is a linked headline and a lead, long enough to pass for prose.
SEE_ALSO = "<h3>Смотрите также:</h3>" + "".join(
    f'<div class="item"><a href="/news/{n}"><strong>Другая новость номер {n}</strong></a>'
    f"<br>Короткий пересказ другой новости номер {n}, в котором достаточно слов, запятых "
    f"и подробностей, чтобы сойти за абзац статьи, но это чужой текст... "
    f'<a href="/news/{n}">Читать новость</a></div>'
    for n in range(4)
)
# A heading no phrase list holds; each item puts a few words before its link, so the list
# is not mostly links.
MORE_STORIES = (
    "<div>More Great Daily Stories</div><ul>"
    + "".join(
        f'<li>The strange tale and <a href="/s/{n}">the end of harbour plan {n}</a></li>'
        for n in range(4)
    )
    + "</ul>"
)


@pytest.mark.parametrize("teasers", [SEE_ALSO, MORE_STORIES], ids=["see-also", "more-stories"])
def test_teasers_after_a_see_also_heading_are_dropped(teasers: str):
    page = _page(f"<article>{_paras(RU_STORY)}{teasers}</article>")
    assert _body_paragraphs(page) == RU_STORY


def test_a_linked_read_also_line_goes_but_the_paragraph_around_it_stays():
    line = (
        '<p><strong>Читайте также: <a href="/news/1">Мост закрыли на ремонт</a></strong><br>'
        f"{RU_STORY[1]}</p>"
    )
    page = _page(f"<article><p>{RU_STORY[0]}</p>{line}<p>{RU_STORY[2]}</p></article>")
    assert _body_paragraphs(page) == RU_STORY


def test_russian_page_furniture_lines_are_dropped():
    furniture = _paras(
        [
            "Добавлено: 09.12.11 09:01 | RSS-лента",
            "По материалам: tass.ru",
            "Прочтений: 431",
            "Зарегистрируйтесь или войдите, чтобы оставить комментарий",
            "Нашли опечатку? Выделите её и нажмите ссылку",
        ]
    )
    page = _page(f"<article>{_paras(RU_STORY)}{furniture}</article>")
    assert _body_paragraphs(page) == RU_STORY


def test_a_lead_box_that_repeats_the_page_description_joins_the_body():
    # The standfirst sits in a bare bold box beside the body, named like nothing.
    lead = "Городские власти решили отремонтировать мост, не закрывая движение по нему."
    page = (
        f'<html><head><meta name="description" content="{lead}"></head><body>'
        f'<div class="wrap"><div style="overflow:hidden"><b class="g-large">{lead}</b></div>'
        f'<div class="photo"></div><div class="text">{_paras(RU_STORY * 2)}</div></div>'
        "</body></html>"
    ).encode()
    assert _body_paragraphs(page) == [lead, *RU_STORY * 2]


def test_article_printed_after_a_premature_end_of_page_is_kept():
    # The template closes </body></html> after its header, then prints the article.
    page = (
        "<html><head><title>Story</title></head><body><header><nav>"
        '<a href="/">Home</a> <a href="/contact">Contact</a></nav></header></body></html>'
        f"<div class='post'>{_paras(LONG_STORY)}</div>"
    ).encode()
    assert _body_paragraphs(page) == LONG_STORY


def test_article_of_bare_text_boxes_in_a_box_named_header_is_kept():
    # No <p> at all: each paragraph is a div of bare text, inside a box named "header".
    boxes = "".join(f"<div class='field__item'>{text}</div>" for text in LONG_STORY)
    page = _page(f"<article><div class='hub--header'>{boxes}</div></article>")
    assert _body_paragraphs(page) == LONG_STORY


def _ticker(item: str, n: int = 8) -> str:
    return "".join(item.format(h=9 + i, m=10 + i, i=i) for i in range(n))


HEADLINE = "В регионе открыли новую школу номер {i}"


@pytest.mark.parametrize(
    "tail",
    [
        # News tickers stamped in other ways than "14:35 Headline".
        _ticker(f"<p>Вчера, {{h}}:{{m}} {HEADLINE}</p>"),
        _ticker(f"<p>Сьогодні о {{h}}:{{m}} {HEADLINE}</p>"),
        _ticker(f"<p>{{h}} января 2012 {HEADLINE}</p>"),
        _ticker(f"<p>{{h}} января {HEADLINE}</p>"),
        _ticker(f"<p>{HEADLINE} {{h}}:{{m}}</p>"),
        _ticker(f"<div><span>{{h}}:{{m}}</span><p>{HEADLINE}</p></div>"),
        "<h3>Лента новостей</h3>" + _ticker(f"<p>{{h}}:{{m}} {HEADLINE}</p>"),
        _ticker(f"<p>{{h}}:{{m}} {HEADLINE}</p>") + "<p><a href='/news'>Все новости</a></p>"
        "<p>Редакция: news@example.ru</p>",
        # The typo notice runs on past the length of a short boilerplate line.
        "<p>Если вы заметили ошибку в тексте, пожалуйста, выделите её мышью и нажмите "
        "Ctrl+Enter, чтобы отправить сообщение редакции. Мы благодарны читателям за помощь "
        "и исправим ошибку как можно скорее, спасибо!</p>",
        "<p>Подписка на рассылку:</p><p>Ваш e-mail</p>",
        "<p>Чтобы оставить комментарий, вы должны авторизоваться.</p>",
        "<p>Щоб залишити коментар, потрібно авторизуватись.</p>",
        "<p>Версия для печати</p><p>При перепечатке ссылка на сайт обязательна.</p>",
        "<p>При використанні матеріалів гіперпосилання обов'язкове.</p>",
        # The author's or desk's signature closes the body.
        "<p>Jane Doe contributed to this report.</p><p>Have a tip? John Roe may be reached "
        "at jroe@example.com. Follow him on Twitter.</p>",
        "<p>© 2011 Агентство «Новости региона». Все права защищены. При перепечатке и "
        "цитировании материалов гиперссылка на сайт обязательна. Редакция не несёт "
        "ответственности за содержание рекламы и мнения читателей в комментариях.</p>",
        "<h4>Новости по теме</h4>"
        + "".join(
            f"<p><a href='/n{n}'>Мост закрыли номер {n}</a> 12.01.2012</p>" for n in range(3)
        ),
        "<p>Ваш комментарий будет опубликован после проверки модератором.</p><p>Уважаемые "
        "читатели! Просим вас не оставлять оскорбительные комментарии.</p>",
        "<p>Только зарегистрированные пользователи могут оставлять комментарии.</p>"
        "<p>Отправить другу</p><p>Мнение редакции может не совпадать с мнением автора.</p>",
        # Readers' comments after their heading.
        "<h3>Комментарии (2)</h3><div><b>Иван</b>, 12.01.2012 14:35</div><p>Наконец-то "
        "отремонтируют мост, давно пора было это сделать, а то ездить страшно.</p>"
        "<div><b>Петр</b>, 12.01.2012 15:10</div><p>Посмотрим, как будет на самом деле.</p>",
        # A gallery's counters, and a line that links to related coverage.
        "<p>Image 1 of 5</p><p>Фото 2 из 10</p>",
        '<div>Related coverage: <a href="/topic/bridges">Bridges</a></div>',
    ],
    ids=[
        "yesterday",
        "today-uk",
        "date-only",
        "day-month",
        "stamp-last",
        "stamp-alone",
        "headed",
        "trailed",
        "ctrl-enter",
        "subscribe",
        "comment-ru",
        "comment-uk",
        "print-reprint",
        "reprint-uk",
        "contact",
        "long-copyright",
        "on-the-topic",
        "comment-rules",
        "registered-share-opinion",
        "comments",
        "gallery",
        "related",
    ],
)
def test_tails_after_a_story_are_dropped(tail: str):
    page = _page(f"<article>{_paras(RU_STORY)}{tail}</article>")
    assert _body_paragraphs(page) == RU_STORY


def test_headlines_without_links_after_a_related_heading_are_dropped():
    # The related stories are listed as plain headlines, no link, no full stop.
    related = "<p>Ссылки по теме:</p>" + _paras(
        [f"Мост закрыли на ремонт в районе номер {n}" for n in range(3)]
    )
    page = _page(f"<article>{_paras(RU_STORY)}{related}</article>")
    assert _body_paragraphs(page) == RU_STORY


def test_a_sentence_mostly_in_links_is_kept_without_its_hover_card():
    # A name's link opens a card of headlines on hover: the card is in the markup, inside
    # the sentence, and puts most of the paragraph's text in links.
    card = (
        '<span class="card"><a href="/people/jane">Jane Doe</a>'
        + "".join(
            f'<a href="/news/{n}">Another story about the mayor, number {n}</a>' for n in range(3)
        )
        + "</span>"
    )
    first = f'Mayor <a href="/people/jane">Jane Doe</a>{card} opened the new bridge on Monday.'
    linked = (
        'The council said on Tuesday that it <a href="/news/vote">voted for the bridge in a '
        "long and heated session in May</a>."
    )
    page = _page(f"<article><p>{first}</p><p>{linked}</p>{_paras(SHORT)}</article>")
    assert _body_paragraphs(page) == [
        "Mayor Jane Doe opened the new bridge on Monday.",
        "The council said on Tuesday that it voted for the bridge in a long and heated "
        "session in May.",
        *SHORT,
    ]


def _comment(n: int) -> str:
    return (
        f'<div class="comment"><p>Reader {n} writes: well, honestly, I think, and I have said '
        "it before, that the council, the mayor, the engineers and, frankly, all of us who "
        "drive, walk or cycle over it, should have asked for this years ago, before the "
        "cracks, the closures, the detours and the endless, pointless studies.</p></div>"
    )


# Boxes that are not the article but pass for it: prose, long enough, not mostly links.
BESIDE_THE_ARTICLE = {
    # Readers' comments, one paragraph each, outweigh the short article in its wrapper.
    "comments-section": (
        f'<div class="wrapper"><div class="entry">{_paras(SHORT[:4])}</div>'
        f'<div id="comments">{_paras([LONG_STORY[0]] * 6)}</div></div>'
    ),
    # The article is bare text parted by <br>; one comment dense with commas outscores it.
    "long-comment": (
        f'<div class="wrapper"><div class="story">{"<br><br>".join(SHORT[:4])}</div>'
        f'<div id="comments"><h2>Top comments</h2>{"".join(map(_comment, range(3)))}</div></div>'
    ),
    # Each teaser is a linked headline and a lead cut short: more lead than link.
    "teaser-list": '<div class="main"><ul class="breaking">'
    + "".join(
        f'<li><a href="/news/{n}">Harbour plan number {n} approved</a> <span>PORT TOWN: The '
        "harbour board met on Tuesday and approved a plan for the quay, the cranes and a "
        "new ferry terminal that will take...</span></li>"
        for n in range(5)
    )
    + f"</ul>{_paras(SHORT[:4])}</div>",
    # Datelines of their own above and below the text.
    "datelines": f"<article><p>14:57 16.01.2012</p>{_paras(SHORT[:4])}"
    "<p>17 января 2012 г. (13:17)</p></article>",
    # A call to action ("cta") with a paragraph of appeal after the article.
    "call-to-action": f"<article>{_paras(SHORT[:4])}"
    '<div class="widget-cta-letter"><h5>A word to our readers</h5><p>Every story we '
    "publish takes days of reporting, and none of it is free to produce, so we ask those "
    "who can to give a little every month and keep this work open to everyone.</p></div>"
    "</article>",
}


@pytest.mark.parametrize("page", BESIDE_THE_ARTICLE.values(), ids=BESIDE_THE_ARTICLE.keys())
def test_boxes_that_pass_for_prose_beside_the_article_are_dropped(page: str):
    assert _body_paragraphs(_page(page)) == SHORT[:4]


def test_safety_net_does_not_run_on_into_a_box_named_like_boilerplate():
    # The article, whole in its container, wins the scoring on its commas. Just before it,
    # a promotion box of real paragraphs with over twice its text: the run of paragraph
    # text starts there, and the box is most of that run, so it is no "small box" to clean.
    story = [
        f"{text[:-1]}, сообщили в мэрии, добавив, что график, сроки, подрядчик и смета уже "
        "утверждены, а жители, водители и перевозчики получат уведомления."
        for text in RU_STORY
    ]
    offers = "".join(
        f"<p>Предложение {n}: оформите подписку на газету сегодня и получайте каждый номер "
        "с доставкой на дом в течение всего года. Первый месяц подписки мы дарим всем новым "
        "читателям, а постоянным читателям положена скидка.</p>"
        for n in range(6)
    )
    # A long menu below, so that widening the container to the page stops at its links.
    menu = "".join(f'<a href="/s{n}">Раздел {n}</a> ' for n in range(80))
    page = _page(
        f'<div class="promo-box">{offers}</div><div class="news">{_paras(story)}</div>',
        after=f"<div>{menu}</div>",
    )
    assert _body_paragraphs(page) == story


def test_photo_boxes_and_credit_lines_are_dropped():
    # A caption in a box named "photo", and a credit line in the text, each under a photo.
    photo = (
        '<div class="photo"><img src="/bridge.jpg" alt="">'
        "Мост через реку вечером. Снимок из архива редакции</div>"
    )
    credit = "<p><em>Фото пресс-службы мэрии</em></p>"
    story = f"<p>{RU_STORY[0]}</p>{photo}<p>{RU_STORY[1]}</p>{credit}<p>{RU_STORY[2]}</p>"
    assert _body_paragraphs(_page(f"<article>{story}</article>")) == RU_STORY


def test_datelines_are_dropped_but_dates_in_sentences_stay():
    dated = "Работы начнутся 5 мая 2012 года и продлятся до осени."
    article = (
        "<div class='when'>17 января 2012 г. (13:17)</div>"
        f"{_paras(RU_STORY)}<p>Mon, 16 Jan 2012 23:53:30</p><p>{dated}</p><p>14:57 16.01.2012</p>"
    )
    assert _body_paragraphs(_page(f"<article>{article}</article>")) == [*RU_STORY, dated]


def test_bylines_sources_and_tags_in_their_own_cells_or_lines_are_dropped():
    # An old layout puts the label and the name in two cells; the source and the tags are
    # lines of their own under the text.
    byline = "<table><tr><td>Автор:</td><td>Иван Петров</td></tr></table>"
    tails = '<div>Источник: <a href="https://example.org/">Городская газета</a></div>'
    tails += "<div>Тэги: мост, ремонт, мэрия</div>"
    page = _page(f"<article>{byline}{_paras(RU_STORY)}{tails}</article>")
    assert _body_paragraphs(page) == RU_STORY


def test_a_card_repeated_by_its_hover_overlay_is_kept_once():
    # The overlay repeats the card's heading and text; the reader sees them once. The same
    # line further on (a question put to each guest) stays.
    card = (
        '<div class="card"><h3>The bridge reopens to traffic</h3>'
        f"<p>{SHORT[0]}</p>"
        '<div class="card-back"><h3>The bridge reopens to traffic</h3>'
        f"<p>{SHORT[0]}</p></div></div>"
    )
    article = f"<article>{card}{_paras(SHORT[1:4])}<p>{SHORT[0]}</p>{_paras(SHORT[4:])}</article>"
    expected = ["The bridge reopens to traffic", *SHORT[:4], SHORT[0], *SHORT[4:]]
    assert _body_paragraphs(_page(article)) == expected


def test_a_table_or_a_quote_set_in_a_figure_is_kept_but_a_picture_and_caption_are_not():
    # WordPress wraps a table block and a quote in <figure>, as it does a picture.
    table = (
        '<figure class="wp-block-table"><table><tr><th>District</th><th>Votes</th></tr>'
        "<tr><td>Harbour</td><td>1,204</td></tr><tr><td>Old Town</td><td>987</td></tr></table>"
        "<figcaption>Source: the city council</figcaption></figure>"
    )
    quote = (
        '<figure class="wp-block-pullquote"><blockquote><p>We will open the bridge before '
        "winter, whatever the weather does.</p></blockquote></figure>"
    )
    picture = (
        '<figure class="wp-block-image"><img src="/bridge.jpg" alt="">'
        "<figcaption>The bridge at night</figcaption></figure>"
    )
    article = f"<article>{_paras(SHORT[:4])}{table}{picture}{quote}{_paras(SHORT[4:])}</article>"
    cells = ["District", "Votes", "Harbour", "1,204", "Old Town", "987"]
    said = "We will open the bridge before winter, whatever the weather does."
    assert _body_paragraphs(_page(article)) == [*SHORT[:4], *cells, said, *SHORT[4:]]


def _headlines(n: int = 3, *, linked: bool = False) -> str:
    lines = [f"Мост закрыли на ремонт в районе номер {i}" for i in range(n)]
    if linked:
        return "<ul>" + "".join(f'<li><a href="/n{i}">{t}</a></li>' for i, t in enumerate(lines))
    return _paras(lines)


# What Russian and Ukrainian news sites put around an article: related-link headings,
# subscribe and share calls, error and reprint notices, credits, ad labels, comment
# prompts, tag, editor and rubric lines. Each was kept before its phrase was added.
RU_UK_FURNITURE = {
    "main-heading": "<div>Главное</div>" + _headlines(),
    "more-news-uk": "<h3>Більше новин</h3>" + _headlines(linked=True) + "</ul>",
    "most-discussed": "<p>Самое обсуждаемое</p>" + _headlines(),
    "most-read-uk": "<h4>Найчитаніше</h4>" + _headlines(),
    "interesting": "<p><b>Вам может быть интересно:</b></p>" + _headlines(),
    "ad-labels": _paras(["На правах рекламы", "Партнерский материал", "Новини партнерів"]),
    "join-us": _paras(
        ["Присоединяйтесь к нам в Telegram и ВКонтакте", "Приєднуйтесь до нас у Viber"]
    ),
    "read-us": _paras(["Читайте нас в Telegram", "Читайте нас у Facebook"]),
    "typo": _paras(
        ["Ошибка в тексте? Выделите её мышью и сообщите нам.", "Помилка в тексті? Напишіть нам."]
    ),
    "reuse-ru": "<p>Все материалы сайта можно цитировать, ссылка на сайт обязательна.</p>",
    "reuse-uk": "<p>Матеріали сайту можна цитувати, посилання на джерело обов'язкове.</p>",
    "reuse-partial": "<p>При полном или частичном копировании текстов — гиперссылка.</p>",
    "age": "<p>18+</p>",
    "credits": _paras(["Иллюстрация: пресс-служба мэрии", "Ілюстрація: архів редакції"]),
    "photo-author": "<p>Автор фото: Иван Петров</p>",
    "share": _paras(["Рассказать друзьям", "Поширити"]),
    "comment-calls": _paras(
        ["Оставьте комментарий", "Залиште коментар", "Комментировать", "Коментувати"]
    ),
    "tags": _paras(["Ключевые слова: мост, ремонт", "Рубрика: Город"]),
    "editor": _paras(["Редактор: Анна Смирнова", "Текст: Иван Петров"]),
    "more-on-topic": "<h3>Еще по теме</h3>" + _headlines(),
    "other-uk": "<p><b>Інші матеріали</b></p>" + _headlines(linked=True) + "</ul>",
    "read-now": "<div>Сейчас читают</div>" + _headlines(),
    "editors-choice-uk": "<h4>Вибір редакції</h4>" + _headlines(),
    "latest-comments": "<h3>Последние комментарии</h3>" + _headlines(),
    "no-comments": _paras(["Комментариев пока нет. Будьте первым!", "Коментарів немає"]),
    "rate": _paras(["Оцените статью", "Рейтинг: 4.5", "Голосов: 12", "Оцініть матеріал"]),
    "published": _paras(["Опубликовано: 12 января, среда", "Оновлено: вчора ввечері"]),
    "section": _paras(["Категория: Город", "Розділ: Новини"]),
    "back": _paras(["Вернуться к списку новостей", "Назад", "Повернутися до розділу"]),
    "like-buttons": _paras(["Мне нравится", "Твитнуть", "Подобається"]),
    "story-labels": _paras(["Сюжет: Ремонт моста", "Темы: город, транспорт", "Теми: місто"]),
    "people-labels": _paras(["Персоны: Иван Петров", "Організації: міська рада"]),
    "news-heading": "<h3>Новости</h3>" + _headlines(),
    "video-heading-uk": "<h4>Відео</h4>" + _headlines(),
    "archive-chronicle": _paras(["Архив", "Хроника", "Фоторепортаж", "RSS"]),
    "comment-buttons": _paras(["Ответить", "Цитировать", "Пожаловаться", "Відповісти"]),
    "account": _paras(["Войти", "Регистрация", "Вхід", "Пошук"]),
    "versions": _paras(["Мобильная версия", "Повна версія"]),
}


@pytest.mark.parametrize("tail", RU_UK_FURNITURE.values(), ids=RU_UK_FURNITURE.keys())
def test_russian_and_ukrainian_furniture_after_a_story_is_dropped(tail: str):
    page = _page(f"<article>{_paras(RU_STORY)}{tail}</article>")
    assert _body_paragraphs(page) == RU_STORY


def test_words_that_are_furniture_alone_stay_when_they_open_a_sentence():
    said = [
        "Главное — не паниковать, сказал мэр, мост откроют к зиме.",
        "Комментировать решение совета в мэрии отказались.",
        "Рекомендуем водителям объезжать мост по набережной.",
        "Вернуться к переговорам стороны смогут в марте, сообщили в мэрии.",
        "Нет комментариев, ответили в пресс-службе подрядчика.",
    ]
    page = _page(f"<article>{_paras(RU_STORY)}{_paras(said)}</article>")
    assert _body_paragraphs(page) == RU_STORY + said


def _furnished_portal(layout: str) -> bytes:
    """A regional news portal's page around RU_STORY, in an old table layout or a div one."""
    top = "<p>Реклама</p><p>18+</p>"
    after = (
        "<p>Иллюстрация: пресс-служба мэрии</p><p>Редактор: Анна Смирнова</p>"
        "<p>Теги</p><p>мост, ремонт</p><p>Читайте нас в Telegram</p>"
        "<p>При полном или частичном использовании материалов ссылка на сайт обязательна.</p>"
    )
    side = "<div>Главное</div>" + _headlines(4)
    if layout == "table":
        return (
            "<html><body><table><tr><td>" + top + "</td></tr><tr><td>"
            f"{_paras(RU_STORY)}{after}</td><td>{side}</td></tr></table></body></html>"
        ).encode()
    return (
        f'<html><body><div class="page">{top}<div class="col">'
        f'<div class="material">{_paras(RU_STORY)}{after}</div></div>'
        f'<div class="col2">{side}</div></div></body></html>'
    ).encode()


@pytest.mark.parametrize("layout", ["table", "div"])
def test_a_portal_page_gives_the_story_alone(layout: str):
    assert _body_paragraphs(_furnished_portal(layout)) == RU_STORY


def test_paragraphs_before_an_embed_that_swallowed_the_rest_of_the_article_are_kept():
    # An embedded table's snippet leaves its <div> open, so the rest of the article ends up
    # inside the embed, which then outscores the paragraphs before it; the embed's own
    # wrapper holds nothing else, so the paragraphs beside that wrapper are the article's.
    rows = "".join(f"<tr><td>Row {n}</td><td>{n * 7}%</td></tr>" for n in range(12))
    embed = (
        f'<div class="embed"><div class="table-wrap"><table>{rows}</table>'
        f"{_paras(PLAIN[2:])}</div></div>"
    )
    article = f'<div class="rich-text">{_paras(PLAIN[:2])}{embed}</div>'
    body = _body_paragraphs(_page(article))
    assert body[:2] == PLAIN[:2]
    assert body[-6:] == PLAIN[2:]


def test_boxes_named_for_their_typography_are_the_article():
    # Design systems name their text styles "typo" (short for typography): a summary box
    # and a pull quote set in the article's type are the article, not a typo-report form.
    summary = f'<section class="summary-box typo-block">{_paras(SHORT[:2])}</section>'
    quote = (
        '<figure class="quote typo-block"><blockquote><p>We will open the bridge before '
        "winter, whatever the weather does.</p></blockquote></figure>"
    )
    said = "We will open the bridge before winter, whatever the weather does."
    article = f"<article>{summary}{_paras(SHORT[2:5])}{quote}{_paras(SHORT[5:])}</article>"
    assert _body_paragraphs(_page(article)) == [*SHORT[:5], said, *SHORT[5:]]


def test_article_sections_in_deep_wrapper_chains_are_all_kept():
    # A design system nests each section of the article in boxes that only wrap the one
    # inside (a grid, a column, a box, a text style): the sections part many levels up,
    # further than any box that adds text would be climbed.
    def nested(texts: list[str]) -> str:
        return "<section>" + "<div>" * 8 + _paras(texts) + "</div>" * 8 + "</section>"

    story = [*PLAIN, PLAIN[0].replace("Section 1", "Section 9")]
    # The middle one holds over half the text (so no safety net runs), the others the rest.
    sections = [story[:2], story[2:7], story[7:]]
    article = "<main>" + "".join(nested(part) for part in sections) + "</main>"
    assert _body_paragraphs(_page(article)) == story


def test_boxes_that_only_clip_their_overflow_are_not_hidden():
    # CSS frameworks' utility classes: `overflow-hidden` clips a box's edges, it does not
    # hide the box as `hidden` does.
    clipped = (
        f'<div class="rounded-lg overflow-hidden">{_paras(SHORT[2:5])}</div>'
        f'<div class="box overflow_x_hidden">{_paras(SHORT[5:])}</div>'
    )
    article = f"<article>{_paras(SHORT[:2])}{clipped}</article>"
    hidden = '<div class="hidden">Sign in to read more stories from this desk today.</div>'
    assert _body_paragraphs(_page(article + hidden)) == SHORT


def test_a_bold_first_word_that_is_also_a_label_keeps_its_sentence():
    # "Источник" and "Главное" label boxes of furniture; in bold at the start of a sentence
    # that runs on in lowercase they are its first word, and the paragraph is the article's.
    said = [
        "<p><b>Источник</b> в мэрии сообщил, что мост закроют только на одну ночь.</p>",
        "<p><strong>Главное</strong> — не паниковать, сказал мэр, мост откроют к зиме.</p>",
    ]
    credit = "<p><b>Фото</b> Иван Петров</p><p><b>Источник:</b> пресс-служба мэрии</p>"
    page = _page(f"<article>{_paras(RU_STORY)}{''.join(said)}{credit}</article>")
    assert _body_paragraphs(page) == [
        *RU_STORY,
        "Источник в мэрии сообщил, что мост закроют только на одну ночь.",
        "Главное — не паниковать, сказал мэр, мост откроют к зиме.",
    ]


# A short article (a brief of 50-150 words) on a portal page, and what comes after it there:
# the next stories, each a headline with its time and a lead, or readers' comments, each a
# name with its time and a few sentences. None of it is the article going on.
BRIEF_RU = [
    "Городской совет на заседании во вторник утвердил план ремонта моста через реку, "
    "работы начнутся в апреле.",
    "По словам мэра, движение по мосту не будет закрыто полностью ни на один день: "
    "подрядчик будет менять покрытие по одной полосе.",
    "Стоимость работ оценивается в сорок миллионов рублей, половину выделит область.",
]
BRIEF_EN = [
    "The town council voted on Tuesday to repair the old bridge over the river, with work "
    "starting in April.",
    "The mayor said traffic would never be stopped completely: the contractor will resurface "
    "one lane at a time.",
    "The work is expected to cost forty million, half of it paid by the regional government.",
]
NEXT_RU = [
    (
        "В школах области продлили каникулы",
        "Из-за морозов занятия в школах отменены до конца "
        "недели, сообщили в департаменте образования. Родителей просят следить за объявлениями.",
    ),
    (
        "Новый автобусный маршрут свяжет два района",
        "С понедельника по городу пойдет автобус "
        "номер 42, который соединит северный и южный районы, с интервалом в пятнадцать минут.",
    ),
    (
        "В музее открылась выставка старых фотографий",
        "Экспозиция посвящена истории города в "
        "начале прошлого века, на ней более двухсот снимков из частных собраний и архивов.",
    ),
    (
        "Хоккеисты вышли в полуфинал",
        "Местная команда обыграла соперников из соседней области "
        "со счетом четыре один и в субботу сыграет первый матч полуфинала дома.",
    ),
]
NEXT_EN = [
    (
        "Schools stay closed as the cold snap goes on",
        "Classes across the county are cancelled "
        "until the end of the week, the education office said, and parents should watch the news.",
    ),
    (
        "A new bus route will link two districts",
        "From Monday the number 42 bus will run "
        "between the north and the south of the town, every fifteen minutes at peak hours.",
    ),
    (
        "Museum opens a show of old photographs",
        "The exhibition covers the town's history at "
        "the start of the last century, with more than two hundred prints from private hands.",
    ),
    (
        "Hockey team reaches the semi-finals",
        "The home side beat their rivals from the next "
        "county four to one and will play the first semi-final at home on Saturday.",
    ),
]
COMMENTS_RU = [
    (
        "Иван",
        "Давно пора было отремонтировать этот мост, ездить по нему страшно, особенно "
        "зимой, когда ямы засыпает снегом и их совсем не видно.",
    ),
    (
        "Марина_К",
        "Сорок миллионов на один мост? Интересно, сколько из них дойдет до дела, а "
        "сколько осядет в карманах подрядчиков, как в прошлый раз.",
    ),
    (
        "старожил",
        "Помню, как этот мост строили в семидесятых, тогда его сдали за полтора "
        "года, а сейчас один ремонт растянут на целый сезон.",
    ),
    (
        "Петр",
        "Главное, чтобы не закрыли движение летом, когда все едут на дачи, иначе пробки "
        "будут до самого вокзала, как два года назад.",
    ),
]
COMMENTS_EN = [
    (
        "jsmith",
        "About time they fixed that bridge, the potholes are terrible in winter when "
        "the snow fills them and you cannot see them at all.",
    ),
    (
        "Mary K",
        "Forty million for one bridge? I wonder how much of it reaches the road and "
        "how much ends up with the contractors, like the last time.",
    ),
    (
        "oldtimer",
        "I remember them building it in the seventies, it took eighteen months then, "
        "and now a mere repair is going to take a whole season.",
    ),
    (
        "Pete",
        "As long as they do not close it in summer when everyone drives to the coast, or "
        "the queues will reach the station again.",
    ),
]


def _portal(main: str, *, table: bool, right: str = "") -> bytes:
    """A portal page around `main`: a layout table of the 2010s (menu row, left menu, the
    main cell, a right column: `right` or a menu), or divs (header and menu, main column,
    aside, footer)."""
    menu = "".join(f'<a href="/s{n}">Раздел {n}</a> ' for n in range(12))
    if table:
        page = (
            f'<table width="100%"><tr><td colspan="3">{menu}</td></tr><tr>'
            f'<td width="180" valign="top">{menu}</td><td valign="top">{main}</td>'
            f'<td width="200" valign="top">{right or menu}</td></tr></table>'
        )
    else:
        page = (
            f'<header class="top"><nav>{menu}</nav></header><div class="wrap">'
            f'<main class="content">{main}</main><aside>{menu}</aside></div>'
            "<footer>© 2024 Town Gazette</footer>"
        )
    return f"<html><head><meta charset='utf-8'></head><body>{page}</body></html>".encode()


def _items(item: str, pairs: list[tuple[str, str]]) -> str:
    """`item` filled with each (headline or name, text) pair and its number `n`."""
    return "".join(item.format(first, text, n=n) for n, (first, text) in enumerate(pairs))


HEAD_RU = "<h1>Мост отремонтируют без закрытия движения</h1><div>12.01.2012 14:35</div>"
HEAD_EN = "<h1>Bridge repair will not close the road</h1><time>May 5, 2024 10:12</time>"
ARTICLE_RU = HEAD_RU + _paras(BRIEF_RU)
ARTICLE_EN = f"<article>{HEAD_EN}{_paras(BRIEF_EN)}</article>"
PADDED_BRIEFS = {
    # Old layout: the brief and the list of the next stories share the main cell.
    "news-list-table-ru": (
        BRIEF_RU,
        ARTICLE_RU
        + "<br><br>"
        + _items(
            '<div><a href="/news/{n}"><b>{0}</b></a></div><div>12.01.2012 1{n}:05</div><p>{1}</p>',
            NEXT_RU,
        ),
    ),
    # Div layout: the article, then a feed of cards beside it in the main column.
    "news-list-div-en": (
        BRIEF_EN,
        ARTICLE_EN
        + "<section class='feed'>"
        + _items(
            '<div class="card"><h2><a href="/news/{n}">{0}</a></h2>'
            "<time>May 5, 2024 0{n}:40</time><p>{1}</p></div>",
            NEXT_EN,
        )
        + "</section>",
    ),
    # Readers' comments in tables of their own, or boxes, named like nothing.
    "comments-table-ru": (
        BRIEF_RU,
        ARTICLE_RU
        + _items(
            '<table width="100%"><tr><td><b>{0}</b> 12.01.2012 1{n}:2{n}</td></tr>'
            "<tr><td>{1}</td></tr></table>",
            COMMENTS_RU,
        ),
    ),
    "comments-div-en": (
        BRIEF_EN,
        ARTICLE_EN
        + "<section><h2>What readers say</h2>"
        + _items(
            '<div class="c-{n}"><div><strong>{0}</strong> <span>May 5, 2024 at 1{n}:02'
            "</span></div><p>{1}</p></div>",
            COMMENTS_EN,
        )
        + "</section>",
    ),
}


@pytest.mark.parametrize("brief,main", PADDED_BRIEFS.values(), ids=PADDED_BRIEFS.keys())
def test_a_brief_is_not_padded_with_the_dated_items_after_it(brief: list[str], main: str):
    assert _body_paragraphs(_portal(main, table=main.startswith(HEAD_RU))) == brief


def test_a_guide_of_short_linked_sections_after_its_intro_keeps_every_section():
    # Headlines and leads with no dates after a short intro: this list is the article.
    intro = "<p>Five webcams show the valley live, each from its own side of the river.</p>"
    sections = _items(
        '<div class="cam"><h2><a href="/cams/{n}">{0}</a></h2><p>{1}</p></div>', NEXT_EN
    )
    page = _portal(f"<article><h1>Webcams</h1>{intro}</article>{sections}", table=False)
    expected = [intro[3:-4], *(text for pair in NEXT_EN for text in pair)]
    assert _body_paragraphs(page) == expected


def test_a_live_blog_of_dated_entries_is_the_article():
    # Dated items of one make, as comments are, but no other text on the page: they are it.
    updates = [(lead, said) for (_, lead), (_, said) in zip(NEXT_EN, COMMENTS_EN, strict=True)]
    entries = _items('<div class="entry"><b>1{n}:05</b><p>{0} {1}</p></div>', updates)
    page = _portal(f"<h1>Live: the town today</h1>{entries}", table=False)
    texts = [f"{lead} {said}" for lead, said in updates]
    assert [p for p in _body_paragraphs(page) if p in texts] == texts


# Text in the layout cell beside the brief's: a box of background facts, as long as it.
BESIDE_RU = [
    "Справка. Мост построен в 1974 году, его длина составляет 420 метров, ежедневно по "
    "нему проходит около двадцати тысяч автомобилей.",
    "Последний капитальный ремонт проводился в 1998 году, тогда заменили швы и перила, а "
    "покрытие с тех пор меняли только частично.",
    "В прошлом году инженеры обнаружили трещины в двух опорах, после чего одну полосу "
    "закрыли на месяц для обследования.",
]
BESIDE_EN = [
    "Background: the bridge was built in 1974, it is 420 metres long and carries some twenty "
    "thousand cars a day.",
    "It was last repaired in 1998, when the joints and railings were replaced; the surface "
    "has only been patched since then.",
    "Last year engineers found cracks in two piers, and one lane was closed for a month "
    "while they were inspected.",
]


@pytest.mark.parametrize(
    "brief,page",
    [
        # Two cells of a table inside the main cell: the brief, and the box beside it.
        (
            BRIEF_RU,
            _portal(
                f'<table><tr><td width="60%">{ARTICLE_RU}</td><td>{_paras(BESIDE_RU)}</td>'
                "</tr></table>",
                table=True,
            ),
        ),
        # The page's own right column holds the box.
        (BRIEF_EN, _portal(f"{HEAD_EN}{_paras(BRIEF_EN)}", table=True, right=_paras(BESIDE_EN))),
    ],
    ids=["cells-ru", "column-en"],
)
def test_a_brief_in_a_layout_cell_is_not_joined_by_the_cell_beside_it(brief, page):
    assert _body_paragraphs(page) == brief


def test_a_timeline_of_dated_entries_after_its_intro_keeps_every_entry():
    # Entries under a bare date, as a chronicle has them: dated, but nobody's item.
    intro = "Как развивались события вокруг моста, от первых трещин до решения совета."
    entries = _items("<h3>1{n} марта 2012</h3><p>{1}</p>", NEXT_RU)
    page = _portal(f"<article><h1>Хроника</h1><p>{intro}</p>{entries}</article>", table=False)
    assert _body_paragraphs(page) == [intro, *(lead for _, lead in NEXT_RU)]


FAQ = [
    (
        "How long does the bridge take to build?",
        "The council expects the works to run for two "
        "years, with the old bridge kept open to cars until the new deck is laid.",
    ),
    (
        "Who pays for the new bridge?",
        "The region pays two thirds of the cost and the city the "
        "rest, out of the budget that the council adopted in the spring session.",
    ),
    (
        "Will the river stay open to boats?",
        "Boats keep a channel in the middle of the river "
        "during the works, closed only on the two nights the arches are lifted.",
    ),
]
LONG = [
    f"Paragraph {n} of the story says what the council decided on the new bridge today, "
    "and what the residents of both banks told the reporters after the vote in the hall."
    for n in range(1, 13)
]


def _module(inner: str) -> str:
    """A page builder's box: the text sits five boxes deep."""
    return f'<div class="module"><div class="wrap"><div class="inner">{inner}</div></div></div>'


def test_an_faq_in_its_own_box_after_the_article_is_kept():
    # Page builders set a guide's FAQ in a module of its own after the text, each answer
    # boxes deep: the questions-and-answers box is the article's, a box of linked
    # teasers with questions for headlines after it is not.
    faq = "".join(
        f'<div class="item"><div class="q"><h3>{q}</h3></div>'
        f'<div class="a"><div class="text"><p>{a}</p></div></div></div>'
        for q, a in FAQ
    )
    teasers = "".join(
        f'<div class="card"><h3><a href="/guide/{n}">How much does a roof {n} cost?</a></h3>'
        f"<p>Budget for the roof {n} with our guide to the materials, the labour and the "
        "permits that a roof of this kind needs in your town.</p></div>"
        for n in range(1, 4)
    )
    page = _page(
        '<div class="content">'
        + _module(_paras(LONG))
        + _module(f"<h2>Questions about the bridge</h2>{faq}")
        + _module(f"<h2>More guides</h2>{teasers}")
        + "</div>"
    )
    expected = LONG + ["Questions about the bridge"] + [x for qa in FAQ for x in qa]
    assert _body_paragraphs(page) == expected


def test_a_post_embedded_as_a_quote_in_a_social_box_is_kept():
    # Embed codes wrap a quoted post in a box named "social" or "embed", as share bars
    # are: the quote is the article's (the story is about what was posted). A promo box
    # with a testimonial quote among its own text goes, as does the share bar.
    post = "It seems the new bridge is as late as the old one was, and twice the price."
    embed = (
        f'<div class="social-media-embed"><blockquote class="post"><p>{post}</p>'
        '— Ann Lee (@annlee) <a href="https://example.org/p/1">May 1, 2024</a></blockquote>'
        '<script src="https://example.org/embed.js"></script></div>'
    )
    share = '<div class="social-share"><a href="/s">Share</a> <a href="/t">Post</a></div>'
    promo = (
        '<div class="promo"><p>Try our planner for builders.</p>'
        "<blockquote>“The planner changed my business.”</blockquote>"
        "<p>Sign up today.</p></div>"
    )
    page = _page(f"<article>{_paras(LONG[:3])}{embed}{_paras(LONG[3:6])}{share}{promo}</article>")
    assert _body_paragraphs(page) == [
        *LONG[:3],
        post,
        "— Ann Lee (@annlee) May 1, 2024",
        *LONG[3:6],
    ]
