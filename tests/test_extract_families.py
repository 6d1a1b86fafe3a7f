"""The failure families of unseen pages (issue #14), one small hand-written page each.

Each page is built so that the article would be lost, cut short or padded with boilerplate
if its family's rule were missing; the text is made up, no page of a dataset is used.
"""

from __future__ import annotations

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
    # Frameworks that stream HTML send the page into <div hidden> and move it with script.
    article = f'<div hidden id="S:0"><main>{_paras(SHORT)}</main></div>'
    assert _body_paragraphs(_page(article)) == SHORT


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
