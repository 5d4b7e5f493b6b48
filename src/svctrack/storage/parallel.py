"""Work over thousands of files on every core: forked processes, chunks, results in order."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import suppress
from itertools import repeat
from typing import TypeVar

J = TypeVar("J")
S = TypeVar("S")
R = TypeVar("R")

PARALLEL_FROM = 2000  # jobs; below this, starting processes costs more than it saves
STEP = 200  # jobs between two reports of progress, when done in this process
# Chunks per core: a worker that finishes early takes the next chunk, so the last one to end
# leaves the other cores idle for at most a small chunk (the cores are shared with other work,
# so they do not keep one pace); each chunk costs a round trip of about a millisecond.
CHUNKS_PER_CORE = 16


def map_chunks(
    work: Callable[[list[J], S], list[R]],
    jobs: list[J],
    shared: S,
    progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """`work(chunk, shared)` over chunks of `jobs`, on every core when there are many of them
    (and processes can be forked); one result per job, in the order of the jobs. `progress` is
    told `(done, total)` as chunks are done."""
    return [result for done in chunked(work, jobs, shared, progress) for result in done]


def chunked(
    work: Callable[[list[J], S], list[R]],
    jobs: list[J],
    shared: S,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[list[R]]:
    """`map_chunks`, a chunk's results at a time as they come in order: a caller that keeps
    less than the results never holds them all."""
    cores = min(os.cpu_count() or 1, 8)
    serial = len(jobs) < PARALLEL_FROM or cores < 2
    if not serial:
        import multiprocessing as mp  # 3 ms to import: only when there are thousands of jobs

        serial = "fork" not in mp.get_all_start_methods()
    if serial:
        if progress is None or not jobs:
            yield work(jobs, shared)
            return
        done = 0
        progress(0, len(jobs))
        for n in range(0, len(jobs), STEP):
            found = work(jobs[n : n + STEP], shared)
            done += len(found)
            yield found
            progress(done, len(jobs))
        return
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(jobs) // (cores * CHUNKS_PER_CORE))
    chunks = [jobs[n : n + size] for n in range(0, len(jobs), size)]
    pool = ProcessPoolExecutor(
        max_workers=cores,
        mp_context=mp.get_context("fork"),
        initializer=_worker,
        initargs=(os.getpid(),),
    )
    try:
        done = 0
        if progress is not None:
            progress(0, len(jobs))
        for found in pool.map(work, chunks, repeat(shared)):
            done += len(found)
            yield found
            if progress is not None:
                progress(done, len(jobs))
    except KeyboardInterrupt:  # Ctrl-C: the parent says so in one line; the workers just stop
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown()


def _worker(parent: int) -> None:
    """A worker leaves Ctrl-C to the parent (else each would print its own traceback), and
    ends with it: a parent killed outright (kill -9) would leave its workers waiting forever on
    a queue they hold open themselves."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        import ctypes

        with suppress(OSError, AttributeError):  # PR_SET_PDEATHSIG: a signal when it ends
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before that was asked
        os._exit(0)
