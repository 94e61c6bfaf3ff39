"""Process pools: the one place that starts worker processes.

Every pool of the package comes from :func:`process_pool`. Its workers end
with their parent: on Linux the kernel sends them SIGKILL when the parent dies
(``PR_SET_PDEATHSIG``), and on every platform a watchdog thread in each worker
ends it when its parent is gone, so a report killed with ``kill <pid>`` leaves
no worker behind. Workers ignore SIGINT (Ctrl-C reaches the whole process
group): the parent handles it, stops the pool and ends its workers. When the
block that uses the pool ends with an error, the pool's workers are ended
rather than awaited.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator

__all__ = ["START_METHOD", "resolve_n_jobs", "process_pool", "WORKER_POLL_SECONDS"]

logger = logging.getLogger(__name__)

#: Start method of every worker pool: None is the platform's default (fork on Linux, spawn on
#: Windows and macOS). Both work: the tests run the pools with "spawn" too.
START_METHOD: str | None = None

#: How often a worker checks that its parent is still alive (where the kernel cannot tell it).
WORKER_POLL_SECONDS = 1.0

_PR_SET_PDEATHSIG = 1


def resolve_n_jobs(n_jobs: int) -> int:
    """The number of processes ``n_jobs`` asks for: itself, or every core for -1.

    Examples
    --------
    >>> resolve_n_jobs(2), resolve_n_jobs(-1) >= 1
    (2, True)
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int):
        raise TypeError(f"n_jobs must be a whole number, got {n_jobs!r}")
    if n_jobs == -1:
        return os.cpu_count() or 1
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be at least 1 (or -1 for every core), got {n_jobs}")
    return n_jobs


def _die_with_parent(parent: int) -> None:
    """Arrange for this worker to end when the process ``parent`` does."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - an unusual libc
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WORKER_POLL_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="policytext-parent-watch", daemon=True).start()


def _start_worker(parent: int, initializer: Callable | None, initargs: tuple) -> None:
    with contextlib.suppress(ValueError, OSError):  # not the main thread of the worker: nothing to change
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool without waiting for its tasks: cancel what has not started, end the workers."""
    processes = list(getattr(pool, "_processes", {}).values() or [])
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)
    with contextlib.suppress(Exception):  # let the pool's manager thread see its workers gone and close its pipes,
        pool.shutdown(wait=True)  # or the interpreter's exit hook writes to a closed one (EBADF)
    # Python 3.11's exit hook still wakes every pool's manager thread; under load it can write to a pipe the
    # thread has just closed (EBADF, printed after our last line). The pool is shut down: take it off that list.
    with contextlib.suppress(Exception):
        from concurrent.futures import process as futures_process

        if manager is not None and not manager.is_alive():  # a live one still needs its wake-up at exit
            futures_process._threads_wakeups.pop(manager, None)


@contextlib.contextmanager
def process_pool(n_workers: int, *, initializer: Callable | None = None,
                 initargs: tuple = ()) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``n_workers`` processes whose workers end with this process.

    Parameters
    ----------
    n_workers : int
        Worker processes (at least 1).
    initializer, initargs
        Run in each worker when it starts, as for :class:`~concurrent.futures.ProcessPoolExecutor`.

    Examples
    --------
    >>> with process_pool(2) as pool:
    ...     list(pool.map(abs, [-1, -2]))
    [1, 2]
    """
    context = multiprocessing.get_context(START_METHOD)
    pool = ProcessPoolExecutor(max_workers=max(1, int(n_workers)), mp_context=context,
                               initializer=_start_worker, initargs=(os.getpid(), initializer, initargs))
    try:
        yield pool
    except BaseException:
        _end_workers(pool)
        raise
    else:
        pool.shutdown(wait=True)
