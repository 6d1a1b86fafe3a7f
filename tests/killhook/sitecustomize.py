"""Test only: with this folder on PYTHONPATH, an extraction worker handed a page that carries
a kill marker (tests/faultserver.py) dies by SIGKILL, as when the kernel's OOM killer picks
it: the crawling process sees exactly what it would see then.

`KILL_WORKER` kills every worker that takes the page; `KILL_WORKER_ONCE` only the first,
remembered by a file in $NEWSARCHIVE_TEST_KILLED. The crawling process itself (inline
extraction) is never killed. Python imports this module at start-up, before any of the
project's; it wraps `scraper.extract.worker.extract` once that module is imported.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import multiprocessing
import os
import signal
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

KILL_WORKER = b"<!-- newsarchive test: SIGKILL the extraction worker -->"
KILL_WORKER_ONCE = b"<!-- newsarchive test: SIGKILL the first extraction worker -->"
TARGET = "scraper.extract.worker"


def should_die(raw: bytes) -> bool:
    if multiprocessing.parent_process() is None:  # not a worker
        return False
    if KILL_WORKER in raw:
        return True
    if KILL_WORKER_ONCE in raw:
        killed = Path(os.environ["NEWSARCHIVE_TEST_KILLED"], hashlib.sha256(raw).hexdigest())
        if not killed.exists():
            killed.touch()
            return True
    return False


class WrappingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        extract = module.extract

        def deadly_extract(raw: bytes, *args: Any, **kwargs: Any) -> Any:
            if should_die(raw):
                os.kill(os.getpid(), signal.SIGKILL)
            return extract(raw, *args, **kwargs)

        module.extract = deadly_extract


class KillHook(importlib.abc.MetaPathFinder):
    def find_spec(
        self, name: str, path: Any, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None:
            spec.loader = WrappingLoader(spec.loader)
        return spec


sys.meta_path.insert(0, KillHook())
