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
