"""Work spread over the cores of this machine: processes started by `fork` inherit what the parent built (a compiled
scenario, a function), receive only the items and send back the results, in order; this process answers a share of
the items itself meanwhile.

Where `fork` is not available (Windows, macOS' default) the work runs in this process. `multiprocessing` is
imported only when work is spread, so no command pays for it at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_WORK: Callable[[Any], Any] | None = None  # what a forked worker inherited (set only around the pool)


def _call(item: Any) -> Any:
    assert _WORK is not None, "a forked worker has no work"
    return _WORK(item)


def worker_count(workers: int | None) -> int:
    """`None`: one process; `0`: every core; else that many (at least one)."""
    if workers is None:
        return 1
    if workers < 0:
        raise ValueError(f"workers must be 0 (every core) or more, got {workers}")
    return (os.cpu_count() or 1) if workers == 0 else workers


def fork_map(
    work: Callable[[Item], Result],
    items: Sequence[Item],
    workers: int | None,
    local: Callable[[Item], Result] | None = None,
) -> Iterator[Result]:
    """`work` of each item, in order, over `workers` processes (`worker_count`), this one among them; an exception
    `work` raises in a worker is raised here. Results cross back by pickle, so an item is best a batch of work.

    This process answers the last of every `workers` items itself, with `local` where given (what `work` does,
    without what only crossing needs) while the forked ones answer the rest. A forked worker freezes what it
    inherited (`gc.freeze`), so its garbage collections walk only what it made itself."""
    own_work = local or work
    count = min(worker_count(workers), len(items))
    if count <= 1:
        yield from map(own_work, items)
        return
    import gc
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(own_work, items)
        return
    global _WORK
    _WORK = work
    split = len(items) - len(items) // count
    theirs, own = items[:split], items[split:]
    try:
        with multiprocessing.get_context("fork").Pool(count - 1, initializer=gc.freeze) as pool:
            pending = pool.imap(_call, theirs, chunksize=max(1, len(theirs) // ((count - 1) * 4)))
            answered = [own_work(item) for item in own]
            yield from pending
            yield from answered
    finally:
        _WORK = None
