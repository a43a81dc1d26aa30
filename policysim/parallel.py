"""Work spread over the cores of this machine: processes started by `fork` inherit what the parent built (a compiled
scenario, a function), receive only the items and send back the results, in order.

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
    """`work` of each item, in order, over `workers` processes (`worker_count`); an exception `work` raises in a
    worker is raised here. Results cross back by pickle, so an item is best a batch of work.

    With `local`, this process is one of the workers: it answers the last of every `workers` items itself with
    `local` (what `work` does, without the crossing) while the forked ones answer the rest; otherwise `workers`
    processes are forked and this one receives. A forked worker freezes what it inherited (`gc.freeze`), so its
    garbage collections walk only what it made itself."""
    count = min(worker_count(workers), len(items))
    if count <= 1:
        yield from map(local or work, items)
        return
    import gc
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(local or work, items)
        return
    global _WORK
    _WORK = work
    theirs, own = (
        (items, ())
        if local is None
        else (items[: len(items) - len(items) // count], items[len(items) - len(items) // count :])
    )
    forked = count if local is None else count - 1
    try:
        with multiprocessing.get_context("fork").Pool(forked, initializer=gc.freeze) as pool:
            pending = pool.imap(_call, theirs, chunksize=max(1, len(theirs) // (forked * 4)))
            answered = [local(item) for item in own] if local is not None else []
            yield from pending
            yield from answered
    finally:
        _WORK = None
