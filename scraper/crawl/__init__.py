"""What runs a crawl around the spider: the runner, the frontier of unsettled URLs, the
guarded DNS resolver, the progress line and the log formatter."""
