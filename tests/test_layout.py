"""The folders show the data's flow: spiders → extract → pipelines → archive → Datasette.

Each stage imports only what runs before it, or the shared leaves (the item, the config, URL
rules). These tests read every module's imports, function-level ones included, so a change
that reaches back up the flow fails here before it tangles the code.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("scraper", "pipelines")

EXTRACT = "scraper.extract"
SERVE = "scraper.serve"
CRAWL_MACHINERY = ("scraper.crawl", "scraper.middlewares", "scraper.settings")
SPIDERS = "scraper.spiders"
CLI = "scraper.cli"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path for package in PACKAGES for path in (REPO / package).rglob("*.py")
}


def imports_of(name: str) -> set[str]:
    """The project modules `name` imports. `from pkg import sub` counts as importing
    pkg.sub when that is a module (as Python loads it), else pkg."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return {module for module in found if module in MODULES}


GRAPH = {name: imports_of(name) for name in MODULES}


def inside(module: str, *stages: str) -> bool:
    return any(module == stage or module.startswith(stage + ".") for stage in stages)


def reaching(stage: str, *forbidden: str) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if inside(module, stage)
        for target in targets
        if inside(target, *forbidden)
    )


def test_the_layout_is_read_from_every_module():
    assert {EXTRACT, SERVE, "scraper.crawl", SPIDERS, CLI, "pipelines.store"} <= set(MODULES)
    assert "scraper.extract.fingerprint" in GRAPH["pipelines.store"]


def test_extraction_knows_no_storage_crawling_serving_or_cli():
    forbidden = ("pipelines", SPIDERS, SERVE, CLI, *CRAWL_MACHINERY)
    assert reaching(EXTRACT, *forbidden) == []


def test_serving_knows_no_spiders_or_crawl_machinery():
    assert reaching(SERVE, SPIDERS, CLI, *CRAWL_MACHINERY) == []


def test_pipelines_know_no_spiders_serving_or_cli():
    assert reaching("pipelines", SPIDERS, SERVE, CLI) == []


def test_no_module_imports_one_that_imports_it_back():
    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen = set()
        while stack:
            module, path = stack.pop()
            for target in GRAPH[module]:
                if target == start:
                    return [*path, start]
                if target not in seen:
                    seen.add(target)
                    stack.append((target, [*path, target]))
        return None

    cycles = [" → ".join(c) for name in sorted(GRAPH) if (c := cycle_from(name))]
    assert cycles == []


@pytest.mark.parametrize("module", [EXTRACT, "scraper.extract.worker"])
def test_extraction_loads_without_scrapy_storage_or_datasette(module):
    """What an extraction worker imports stays pure when actually loaded, not only as read."""
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('scrapy', 'sqlite_utils', 'datasette', 'click', 'pipelines')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert out.stdout.strip() == "[]"
