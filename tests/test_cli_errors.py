"""Every command, misused: wrong arguments, a missing, corrupt, foreign or newer archive.

Each answer is one clear `Error:` line and the documented exit status (2), with no
traceback, and the file the user pointed at is left exactly as it was (or not created).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from pipelines.archive import SCHEMA_VERSION

# A config that would hang if it were ever fetched: nothing listens on port 9.
CONFIG = """
[[source]]
name = "site"
start_urls = ["http://127.0.0.1:9/"]
local = true
"""

# Each command with the arguments it needs to reach the archive at {db}.
ARCHIVE_COMMANDS = {
    "crawl": ["crawl", "--config", "{config}", "--db", "{db}"],
    "export": ["export", "--db", "{db}"],
    "serve": ["serve", "--db", "{db}", "--port", "9"],
    "reprocess": ["reprocess", "--db", "{db}"],
}


def assert_one_error_line(result, status: int = 2) -> str:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def command(name: str, tmp_path: Path, db: Path) -> list[str]:
    config = tmp_path / "sources.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return [arg.format(config=config, db=db) for arg in ARCHIVE_COMMANDS[name]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "--bogus"], "No such option"),
        (["crawl", "--max-pages", "0"], "Invalid value for '--max-pages'"),
        (["crawl", "--since", "yesterday"], "Invalid value for '--since'"),
        (["crawl", "--config", "missing.toml"], "missing.toml: cannot read config"),
        (["export", "--format", "xml"], "Invalid value for '--format'"),
        (["export", "--since", "2024-13-45"], "Invalid value for '--since'"),
        (["export", "--format", "jsonl", "--excel"], "--excel makes a CSV for Excel"),
        (["serve", "--port", "http"], "Invalid value for '--port'"),
        (["demo", "--port", "-"], "Invalid value for '--port'"),
        (["extract"], "Missing argument 'PATHS...'"),
        (["extract", "no-such-page.html"], "does not exist"),
        (["reprocess", "--bogus"], "No such option"),
        (["nonsense"], "No such command 'nonsense'"),
    ],
)
def test_wrong_arguments_get_one_line_and_status_2(args, message, tmp_path):
    # Run from an empty folder, to see that nothing is created in it.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    line = assert_one_error_line(run_cli(*args, timeout=60, cwd=tmp_path, env=env))
    assert message in line
    assert list(tmp_path.iterdir()) == []  # nothing created, no archive.db out of thin air


@pytest.mark.parametrize("name", sorted(ARCHIVE_COMMANDS))
def test_a_missing_archive_is_not_created_by_readers(name, tmp_path):
    db = tmp_path / "missing.db"
    result = run_cli(*command(name, tmp_path, db), timeout=60)
    if name == "crawl":  # a crawl makes its archive; here it fails on the dead source
        assert result.returncode == 1
        assert "Traceback" not in result.stderr  # its robots.txt is unreachable: one line
        return
    assert "no archive here" in assert_one_error_line(result)
    assert not db.exists()


@pytest.mark.parametrize("name", sorted(set(ARCHIVE_COMMANDS) - {"crawl"}))
def test_an_empty_file_is_no_archive_to_readers(name, tmp_path):
    """An empty file (`touch archive.db`, or one from an old version killed at its start)
    is refused with a hint, not served or exported as if it were an empty archive."""
    db = tmp_path / "archive.db"
    db.touch()
    line = assert_one_error_line(run_cli(*command(name, tmp_path, db), timeout=60))
    assert "an empty archive (run `newsarchive crawl` first)" in line
    assert db.read_bytes() == b""


def corrupt(db: Path) -> None:
    db.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)


def foreign(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (text)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()


def newer(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("name", sorted(ARCHIVE_COMMANDS))
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (corrupt, "not a usable archive"),
        (foreign, "not a newsarchive archive"),
        (newer, "written by a newer newsarchive"),
    ],
)
def test_an_unusable_archive_is_refused_and_left_untouched(name, make, message, tmp_path):
    db = tmp_path / "archive.db"
    make(db)
    before = db.read_bytes()
    line = assert_one_error_line(run_cli(*command(name, tmp_path, db), timeout=60))
    assert message in line
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_extract_as_text_names_a_page_that_is_no_article(tmp_path):
    page = tmp_path / "index.html"
    page.write_text(
        "<html><head><title>Sections</title></head><body><nav><a href='/a'>News</a> "
        "<a href='/b'>Sport</a></nav></body></html>",
        encoding="utf-8",
    )
    result = run_cli("extract", "--format", "text", str(page), timeout=120)
    assert result.returncode == 1
    assert result.stdout == ""  # no "# " header and blank lines
    assert result.stderr.strip() == f"{page}: not an article (no article text found)"
    assert "Traceback" not in result.stderr
