"""The crontab line and systemd units in the README are valid as written."""

import configparser
import re
import shutil
import subprocess

import pytest
from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
APP = "/srv/newsarchive/.venv/bin/newsarchive"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def units() -> dict[str, str]:
    """README ini blocks keyed by the file name in their first comment line."""
    found = {}
    for block in blocks("ini"):
        first, _, rest = block.partition("\n")
        found[first.removeprefix("# ").strip()] = rest
    return found


def test_crontab_line_is_well_formed():
    (block,) = blocks("cron")
    (line,) = [x for x in block.splitlines() if x.strip() and not x.startswith("#")]
    fields = line.split(None, 5)
    ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
    for field, (low, high) in zip(fields[:5], ranges, strict=True):
        for part in field.split(","):
            base, _, step = part.partition("/")
            assert not step or step.isdigit(), line
            if base != "*":
                for number in base.split("-"):
                    assert number.isdigit() and low <= int(number) <= high, line
    assert "newsarchive crawl" in fields[5] and "--quiet" in fields[5]


def test_units_parse_and_point_at_the_crawl():
    found = units()
    assert set(found) == {
        "newsarchive-crawl.service",
        "newsarchive-crawl.timer",
        "newsarchive-ingest.service",  # the cluster's writer (More than one machine)
        "newsarchive-node.service",
    }
    for name, command in (("ingest", "ingest"), ("node", "crawl")):
        unit = configparser.ConfigParser(strict=True, interpolation=None)
        unit.read_string(found[f"newsarchive-{name}.service"])
        assert unit["Service"]["ExecStart"].startswith(f"{APP} {command}")
        assert "--redis redis://" in unit["Service"]["ExecStart"]
    service = configparser.ConfigParser(strict=True, interpolation=None)
    service.read_string(found["newsarchive-crawl.service"])
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].startswith(f"{APP} crawl")
    assert service["Service"]["SuccessExitStatus"] == "3"  # the documented "busy" status
    timer = configparser.ConfigParser(strict=True, interpolation=None)
    timer.read_string(found["newsarchive-crawl.timer"])
    assert timer["Timer"]["OnCalendar"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    newsarchive = shutil.which("newsarchive") or shutil.which("true")
    for name, text in units().items():
        text = text.replace(APP, newsarchive).replace("/srv/newsarchive", str(tmp_path))
        (tmp_path / name).write_text(text.replace("User=newsarchive", "User=root"))
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(p) for p in sorted(tmp_path.glob("*.*")))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "newsarchive-crawl" not in result.stderr, result.stderr
