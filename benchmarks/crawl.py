"""End-to-end crawl throughput: `newsarchive crawl` against a large local site on nginx.

    python benchmarks/crawl.py --pages 20000 [--profile] [--runs bare,baseline,end-to-end]
                               [--repeat N]

Generates (once, then reused) a site of PAGES article pages with benchmarks/sitegen.py,
serves it with nginx (Debian's `nginx` package; started here with its own config in a temp
folder, `daemon off`, on 127.0.0.1 only) and crawls it three times, discovering articles
through the sitemaps, 64 requests at a time and without AutoThrottle
(NEWSARCHIVE_AUTOTHROTTLE=0; `--autothrottle` keeps it, and it then holds about two
requests in flight, which is what limits every run):

1. bare Scrapy: benchmarks/barespider.py, a SitemapSpider whose callback does nothing, the
   peer the crawling process is measured against;
2. baseline: `newsarchive crawl` with NEWSARCHIVE_DISCARD_PAGES=1, which drops every
   article page before extraction (fetching, link discovery and the crawl record are
   unchanged);
3. end to end: extraction in the worker pool, validation, dedupe, store with FTS.

The two crawls through the CLI take the whole site (`--max-pages PAGES`, above the default
per-run cap). For each run it prints pages/s, articles stored/s, CPU per page of the whole
process tree (crawler, forkserver, resource tracker and extraction workers) and of the
crawling process alone, the tree's peak RSS and PSS (summed over its processes) and both
when 5k, 10k and 20k pages had been served, the largest single process and the tree by
role at the PSS peak, and nginx's CPU; then the crawling process's CPU per page with
extraction off against bare Scrapy's, and the end-to-end pages/s against the baseline's.
CPU time is what to compare on a shared machine: pages/s moves with the other jobs. Even
CPU time per page rises with the load, for bare Scrapy too, so `--repeat N` runs the
crawls N times, interleaved, and prints each pair's ratio and their median and spread.
`--workers N` sets NEWSARCHIVE_EXTRACT_WORKERS. With `--profile`, py-spy samples the
crawls through the CLI (workers included) and the top functions by own time are printed
for each. Needs: nginx on PATH, psutil (and py-spy for --profile).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import sitegen  # noqa: E402

MILESTONES = (500, 5000, 10000, 20000)
DISCARD = {"NEWSARCHIVE_DISCARD_PAGES": "1"}
# Reading PSS parses /proc/PID/smaps: twice a second is cheap enough on two cores.
POLL_SECONDS = 0.5
NGINX_CONF = """\
worker_processes 1;
daemon off;
user root;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; application/xml xml; text/plain txt; }}
    default_type application/octet-stream;
    charset utf-8;
    access_log {prefix}/access.log;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
    }}
}}
"""


@dataclass
class Run:
    name: str
    seconds: float = 0.0
    pages: int = 0
    articles: int = 0
    cpu: float = 0.0  # seconds, user + system, whole process tree
    crawler_cpu: float = 0.0  # the same, the crawling process alone
    nginx_cpu: float = 0.0
    # Memory of the crawl's process tree, summed: RSS counts pages shared between the
    # processes (libraries, the language model the workers inherit) once per process;
    # PSS splits each shared page between its sharers, so it adds up to the real use.
    peak_rss: int = 0
    peak_pss: int = 0
    rss_at: dict[int, tuple[int, int]] = field(default_factory=dict)  # pages -> (rss, pss)
    # The largest single process's RSS, and the tree by role when its PSS peaked.
    largest: tuple[int, str] = (0, "")
    roles_at_peak: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # n, rss, pss

    def show(self) -> None:
        mb = 1024 * 1024
        marks = ", ".join(
            f"{k // 1000}k: {rss / mb:.0f}/{pss / mb:.0f} MB"
            for k, (rss, pss) in self.rss_at.items()
        )
        print(
            f"== {self.name}: {self.pages} pages in {self.seconds:.1f} s = "
            f"{self.pages / self.seconds:.1f} pages/s, {self.articles} articles stored = "
            f"{self.articles / self.seconds:.1f} articles/s\n"
            f"   CPU {self.cpu:.1f} s = {self.cpu / self.pages * 1000:.1f} ms/page, "
            f"crawling process {self.crawler_ms:.2f} ms/page; "
            f"peak RSS {self.peak_rss / mb:.0f} MB, PSS {self.peak_pss / mb:.0f} MB "
            f"(RSS/PSS at {marks or 'n/a'}); "
            f"nginx CPU {self.nginx_cpu:.1f} s = {100 * self.nginx_cpu / self.seconds:.0f}% "
            "of one core\n"
            f"   largest process {self.largest[0] / mb:.0f} MB RSS ({self.largest[1]}); "
            "at the PSS peak, RSS/PSS by role: "
            + ", ".join(
                f"{role}{f' x{n}' if n > 1 else ''} {rss / mb:.0f}/{pss / mb:.0f} MB"
                for role, (n, rss, pss) in self.roles_at_peak.items()
            )
        )

    @property
    def crawler_ms(self) -> float:
        """CPU milliseconds per page of the crawling process alone."""
        return self.crawler_cpu / self.pages * 1000

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(prefix: Path, root: Path, port: int) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        sys.exit("nginx not found: apt-get install nginx (or nginx-light)")
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, root=root, port=port))
    server = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf)])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    sys.exit(f"nginx did not start: {(prefix / 'error.log').read_text()}")


def tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def role(process: psutil.Process, root: psutil.Process) -> str:
    """What a process of the crawl's tree is: workers are forks of the forkserver, so they
    share its command line and are told apart by their parent."""
    if process.pid == root.pid:
        return "crawler"
    command = " ".join(process.cmdline())
    if "resource_tracker" in command:
        return "resource tracker"
    if "forkserver" in command and process.ppid() == root.pid:
        return "forkserver"
    return "worker"


def tree_cpu(processes: dict[int, psutil.Process], cpu: dict[int, float]) -> None:
    """Remember each process's latest CPU time (children exit before the crawl does)."""
    for pid, process in processes.items():
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            cpu[pid] = times.user + times.system


def served(log: Path, offset: int, count: int) -> tuple[int, int]:
    """Requests nginx logged since `offset`: (new offset, running count)."""
    with log.open("rb") as f:
        f.seek(offset)
        chunk = f.read()
    end = chunk.rfind(b"\n") + 1
    return offset + end, count + chunk[:end].count(b"\n")


def cli_crawl(config: Path, db: Path, pages: int) -> list[str]:
    """`newsarchive crawl` of the whole site (the default cap is 1000 articles per run)."""
    command = [sys.executable, "-m", "scraper.cli", "crawl", "--config", str(config)]
    return [*command, "--db", str(db), "--max-pages", str(pages), "--json", "-q"]


def profiler(output: Path) -> list[str]:
    """py-spy in front of a command: 50 Hz costs the crawl little; --subprocesses follows
    the workers."""
    command = [shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")]
    command += ["record", "--subprocesses", "--rate", "50", "--format", "raw"]
    return [*command, "--output", str(output), "--"]


def crawl(
    name: str,
    command: list[str],
    log: Path,
    nginx: psutil.Process,
    env: dict[str, str],
    wrapper: list[str] = [],  # noqa: B006 - read only
) -> Run:
    """Run `command` (a crawl that prints a JSON summary with "pages") while polling its
    process tree for CPU and memory."""
    run = Run(name)
    offset = log.stat().st_size
    count = 0
    nginx_before = sum(sum(p.cpu_times()[:2]) for p in tree(nginx))
    started = time.monotonic()
    proc = subprocess.Popen(
        [*wrapper, *command], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    root = psutil.Process(proc.pid)
    seen: dict[int, psutil.Process] = {}
    cpu: dict[int, float] = {}
    marks = list(MILESTONES)
    crawler_pid = root.pid
    while proc.poll() is None:
        rss = pss = 0
        roles: dict[str, tuple[int, int, int]] = {}
        processes = tree(root)
        if wrapper:  # the profiler is not the crawl; the crawler is its child
            processes = processes[1:]
        crawler = processes[0] if processes else root
        crawler_pid = crawler.pid
        for process in processes:
            seen.setdefault(process.pid, process)
            with contextlib.suppress(psutil.NoSuchProcess):
                memory = process.memory_full_info()
                rss, pss = rss + memory.rss, pss + memory.pss
                kind = role(process, crawler)
                n, r, p = roles.get(kind, (0, 0, 0))
                roles[kind] = (n + 1, r + memory.rss, p + memory.pss)
                run.largest = max(run.largest, (memory.rss, kind))
        tree_cpu(seen, cpu)
        run.peak_rss = max(run.peak_rss, rss)
        if pss > run.peak_pss:
            run.peak_pss, run.roles_at_peak = pss, roles
        offset, count = served(log, offset, count)
        while marks and count >= marks[0]:
            run.rss_at[marks.pop(0)] = (rss, pss)
        time.sleep(POLL_SECONDS)
    run.seconds = time.monotonic() - started
    output = proc.stdout.read() if proc.stdout else ""
    if proc.returncode not in (0, 1):
        sys.exit(f"{name}: crawl failed with status {proc.returncode}")
    # Last CPU reading of every process the crawl ran (each at most one poll short).
    run.cpu = sum(cpu.values())
    run.crawler_cpu = cpu.get(crawler_pid, 0.0)
    # The --json summary is the line that is a JSON object (py-spy prints too).
    summary = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    run.pages = summary["pages"]
    run.articles = summary.get("articles_new", 0)
    run.nginx_cpu = sum(sum(p.cpu_times()[:2]) for p in tree(nginx)) - nginx_before
    return run


def write_config(path: Path, origin: str, concurrency: int) -> None:
    path.write_text(
        f"""[[source]]
name = "harbor"
start_urls = ["{origin}/"]
sitemaps = ["{origin}/sitemap.xml"]
article_allow = ["/news/"]
max_depth = 1
local = true

[crawl]
download_delay = 0
concurrency = {concurrency}
per_domain_concurrency = {min(concurrency, 64)}
""",
        encoding="utf-8",
    )


def prepare_site(folder: Path, pages: int, origin: str) -> None:
    """Generate the site unless this size is already there; the sitemaps follow `origin`."""
    marker = folder / "pages.txt"
    if not (marker.exists() and marker.read_text() == str(pages)):
        shutil.rmtree(folder, ignore_errors=True)
        started = time.monotonic()
        sitegen.generate(folder, pages, origin=origin)
        marker.write_text(str(pages))
        print(f"generated {pages} pages in {time.monotonic() - started:.0f} s")
    # The port changes per run: rewrite the absolute URLs in sitemaps and canonical links.
    sitegen.write_sitemaps(folder, pages, origin)


def top_functions(run: str, raw: Path, limit: int = 15) -> None:
    """Print py-spy's raw samples as the functions with the most own (leaf) time, for the
    crawling process and for the extraction workers apart."""
    own: dict[str, Counter[str]] = {"crawler": Counter(), "workers": Counter()}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        if not frames:
            continue
        total += int(count)
        role = "workers" if any(f.startswith("_process_worker ") for f in frames) else "crawler"
        name, _, where = frames[-1].partition(" (")
        own[role][f"{name} ({where.rsplit(':', 1)[0]})"] += int(count)
    for role, counter in own.items():
        share = 100 * sum(counter.values()) / max(total, 1)
        print(
            f"== profile of the {run} run, {role} ({share:.0f}% of {total} samples): "
            "top functions by own time"
        )
        for frame, n in counter.most_common(limit):
            print(f"{100 * n / total:5.1f}%  {frame}")


RUNS = ("bare", "baseline", "end-to-end")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=20000, help="article pages in the site")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--workdir", type=Path, help="keep the site here (default: a temp folder)")
    ap.add_argument("--profile", action="store_true", help="py-spy the crawls through the CLI")
    ap.add_argument(
        "--runs",
        default=",".join(RUNS),
        help=f"which runs, comma-separated, of {', '.join(RUNS)} (default: all)",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the chosen crawls this many times, interleaved (bare, baseline, bare, ...), "
        "and print the spread of the crawling process's CPU per page against bare Scrapy's",
    )
    ap.add_argument(
        "--workers", type=int, help="NEWSARCHIVE_EXTRACT_WORKERS (default: the crawl's own)"
    )
    ap.add_argument(
        "--autothrottle",
        action="store_true",
        help="keep AutoThrottle on (it holds ~2 requests in flight whatever the concurrency)",
    )
    args = ap.parse_args()
    chosen = set(args.runs.split(","))
    if not chosen <= set(RUNS):
        ap.error(f"--runs: unknown {', '.join(sorted(chosen - set(RUNS)))}")
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when redirected

    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsarchive-crawl-"))
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    site = work / "site"
    prepare_site(site, args.pages, origin)
    # Canonical links carry the origin of generation; a reused site keeps its old port in
    # them, which only makes the store fall back to the fetched URL (same rows either way).
    server = start_nginx(work / "nginx", site, port)
    nginx = psutil.Process(server.pid)
    log = work / "nginx" / "access.log"
    config = work / "sources.toml"
    write_config(config, origin, args.concurrency)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env["NEWSARCHIVE_AUTOTHROTTLE"] = "1" if args.autothrottle else "0"
    if args.workers is not None:
        env["NEWSARCHIVE_EXTRACT_WORKERS"] = str(args.workers)
    print(
        f"site: {args.pages} articles at {origin}, {os.cpu_count()} cores, "
        f"concurrency {args.concurrency}, AutoThrottle {'on' if args.autothrottle else 'off'}, "
        f"extraction workers {env.get('NEWSARCHIVE_EXTRACT_WORKERS', 'default')}, "
        f"load average {os.getloadavg()[0]:.1f}, python {sys.version.split()[0]}"
    )
    runs: dict[str, Run] = {}
    profiles: dict[str, Path] = {}
    ratios: list[float] = []
    try:
        for round_ in range(1, args.repeat + 1):
            if args.repeat > 1:
                print(f"-- round {round_} of {args.repeat}, load average {os.getloadavg()[0]:.1f}")
            if "bare" in chosen:
                command = [sys.executable, str(REPO / "benchmarks" / "barespider.py"), origin]
                command += ["--concurrency", str(args.concurrency)]
                command += ["--autothrottle"] if args.autothrottle else []
                runs["bare"] = crawl("bare Scrapy", command, log, nginx, env)
                runs["bare"].show()
            for key, name, extra in (
                ("baseline", "baseline (no parse)", DISCARD),
                ("end-to-end", "end to end", {}),
            ):
                if key not in chosen:
                    continue
                db = work / f"{key}.db"
                for stale in work.glob(f"{key}.db*"):
                    stale.unlink()
                wrapper = []
                if args.profile:
                    profiles[name] = work / f"profile-{key}.txt"
                    wrapper = profiler(profiles[name])
                command = cli_crawl(config, db, args.pages)
                runs[key] = crawl(name, command, log, nginx, {**env, **extra}, wrapper)
                runs[key].show()
            if "bare" in runs and "baseline" in runs:
                bare, lean = runs["bare"].crawler_ms, runs["baseline"].crawler_ms
                ratios.append(lean / bare)
                print(
                    f"== crawling process with extraction off / bare Scrapy, CPU per page: "
                    f"{lean:.2f} / {bare:.2f} ms = {lean / bare:.2f} (target: at most 4 ms)"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)
    if len(ratios) > 1:
        print(
            f"== over {len(ratios)} pairs, crawling process / bare Scrapy: median "
            f"{statistics.median(ratios):.2f}, from {min(ratios):.2f} to {max(ratios):.2f} "
            f"(target: at most {4 / 2.7:.2f}, 4 ms against bare Scrapy's 2.7 on an idle machine)"
        )
    if "baseline" in runs and "end-to-end" in runs:
        ratio = runs["end-to-end"].pages_per_second / runs["baseline"].pages_per_second
        print(f"== end to end / baseline pages/s: {ratio:.2f} (target >= 0.25)")
    for name, raw in profiles.items():
        top_functions(name, raw)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
