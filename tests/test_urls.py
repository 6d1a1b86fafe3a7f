from scraper.urls import allowed, normalize_url


def test_tracking_parameters_fragment_and_default_port_go():
    assert (
        normalize_url("HTTP://News.Example.COM:80/a.html?utm_source=tg&b=2&fbclid=x&a=1#top")
        == "http://news.example.com/a.html?a=1&b=2"
    )
    assert normalize_url("https://x.org/p?gclid=1&yclid=2&_openstat=3") == "https://x.org/p"


def test_meaningful_query_parameters_stay():
    assert normalize_url("https://x.org/news?id=42&page=2") == "https://x.org/news?id=42&page=2"


def test_allowed_domains_by_host_or_exact_port():
    assert allowed("https://www.example.com/a", ["example.com"])
    assert not allowed("https://example.com.evil.org/a", ["example.com"])
    assert allowed("http://127.0.0.1:8701/a", ["127.0.0.1:8701"])
    assert not allowed("http://127.0.0.1:8702/a", ["127.0.0.1:8701"])
    for url in ("file:///etc/passwd", "ftp://example.com/x", "data:text/html,hi"):
        assert not allowed(url, ["example.com"])


def test_ipv6_hosts_keep_their_brackets():
    assert normalize_url("http://[::1]:8000/a?utm_source=x") == "http://[::1]:8000/a"
    assert allowed("http://[::1]:8000/a", ["[::1]:8000"])
    assert not allowed("http://[::1]:8001/a", ["[::1]:8000"])


# Links a news page may carry, relative to where it sits: the same hrefs on pages in
# other folders, schemes and encodings must not be resolved as on the page before.
LINKS = """
<a href="/section/world/">World</a> <a href=" /section/world/ ">again</a>
<a href="story-2.html">next</a> <a href="../archive/?page=2#list">older</a>
<a href="?page=3">page 3</a> <a href="#comments">comments</a> <a href="">this page</a>
<a href="//cdn.example.org/live/">live</a> <a href="https://other.example.net/a;b?c=1">x</a>
<a href="http:/rooted/path">odd but valid</a> <a href="/docs/report.PDF">report</a>
<a href="/docs/file.pdf;jsessionid=1">file</a> <a href="/img/photo.jpg?w=300">photo</a>
<a href="mailto:desk@example.org">mail</a> <a href="javascript:void(0)">js</a>
<a href="tel:+123">call</a> <a href="http://[broken/">broken</a>
<a href="/поиск?q=новости">search</a> <a href="/a b/c">space</a>
<map><area href="/map/area.html"></map> <link href="/feed.xml"> <a name="anchor">none</a>
"""


def test_link_finder_finds_what_scrapys_link_extractor_finds():
    from scrapy.http import HtmlResponse
    from scrapy.linkextractors import LinkExtractor

    from scraper.crawl.links import LinkFinder

    finder = LinkFinder()  # one finder for every page, as in a crawl
    pages = []
    for url in (
        "http://news.example.com/news/2024/01/story-1.html",
        "http://news.example.com/world/europe/story-9.html",
        "https://news.example.com/news/2024/01/story-1.html",
        "http://mirror.example.org:8080/news/story-1.html?from=home",
    ):
        for charset in ("utf-8", "windows-1251"):
            body = f"<html><head><meta charset={charset}></head><body>{LINKS}</body></html>"
            pages.append(HtmlResponse(url, body=body.encode(charset)))
    base = "<html><head><base href='/mirror/'></head><body>" + LINKS + "</body></html>"
    pages.append(HtmlResponse("http://news.example.com/x/y.html", body=base.encode()))
    for page in pages * 2:  # the second time from what the finder remembered
        expected = [link.url for link in LinkExtractor().extract_links(page)]
        assert finder.links(page) == expected, page.url
    assert "http://news.example.com/world/europe/story-2.html" in finder.links(pages[2])
