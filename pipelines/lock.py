"""One writer per archive. A second crawl (or demo, or reprocess) on the same file exits at
once instead of interleaving its writes with the first.

The lock is an flock on `<archive>.lock`: the kernel drops it when its process dies, so a
run killed with SIGKILL never leaves a lock that blocks the next cron run. Within one
process it nests: the CLI holds it around a crawl, and the crawl's store takes it again
(which is what locks `scrapy crawl news`).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_held: dict[Path, int] = {}  # lock files this process holds, with their nesting depth


class ArchiveBusy(RuntimeError):
    """Another process is writing to the archive."""


@contextmanager
def writer_lock(db_path: str | Path) -> Iterator[None]:
    path = Path(f"{db_path}.lock").resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ArchiveBusy(
                f"{db_path} is being written by {holder}; try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
    finally:
        handle.close()
