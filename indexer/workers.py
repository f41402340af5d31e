"""Run reindex jobs on all cores: a process pool fed in chunks, with a bounded number of chunks in flight.

The caller (the one index writer) consumes outcomes as they arrive, so memory stays bounded
whatever the corpus size. With one worker everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from functools import partial
from itertools import islice
from pathlib import Path

from indexer.pipeline import FileJob, FileOutcome, run_chunk, run_job
from search.processes import exit_with_parent

# Files handed to a worker at a time: enough to make inter-process messages cheap, few enough for smooth progress.
CHUNK_FILES = 16
# Chunks queued per worker, so a worker never waits for the writer to hand it the next one.
IN_FLIGHT_PER_WORKER = 2
# Workers are forked from a server process started once, with the extraction modules already imported
# (fast to start, and no locks or open index files inherited from the writing process).
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
PRELOAD_MODULES = ["indexer.preload"]


def default_workers() -> int:
    """Return how many worker processes to use by default: the CPUs this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _init_worker(parent_pid: int) -> None:
    # Ctrl+C reaches the whole process group; the writing process alone decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=exit_with_parent, args=(parent_pid,), daemon=True).start()


def run_jobs(root: Path, jobs: Iterable[FileJob], workers: int) -> Iterator[FileOutcome]:
    """Yield the outcome of every job (in completion order); a web archive's later parts are queued as they come."""
    if workers <= 1:
        pending = iter(jobs)
        follow_ups: list[FileJob] = []
        while True:
            job = follow_ups.pop() if follow_ups else next(pending, None)
            if job is None:
                return
            outcome = run_job(root, job)
            if outcome.next_job is not None:
                follow_ups.append(outcome.next_job)
            yield outcome
    yield from _run_in_pool(root, iter(jobs), workers)


def _run_in_pool(root: Path, jobs: Iterator[FileJob], workers: int) -> Iterator[FileOutcome]:
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        context.set_forkserver_preload(PRELOAD_MODULES)
    work = partial(run_chunk, Path(root))
    limit = workers * IN_FLIGHT_PER_WORKER
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),))
    in_flight: set[Future] = set()
    try:
        follow_ups: list[FileJob] = []
        exhausted = False
        while True:
            while len(in_flight) < limit and (follow_ups or not exhausted):
                # A web archive's next part goes alone: it is a chunk's worth of pages by itself.
                chunk = [follow_ups.pop()] if follow_ups else list(islice(jobs, CHUNK_FILES))
                if not chunk:
                    exhausted = True
                    break
                in_flight.add(executor.submit(work, chunk))
            if not in_flight:
                return
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                for outcome in future.result():
                    if outcome.next_job is not None:
                        follow_ups.append(outcome.next_job)
                    yield outcome
    finally:
        # On an error or Ctrl+C, queued chunks are dropped rather than waited for.
        executor.shutdown(wait=True, cancel_futures=True)
