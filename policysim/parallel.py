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
_ITEMS: Sequence[Any] = ()  # the items, likewise
# the bounds a forked worker inherited, both guarded by the first one's lock: (the first item no worker has claimed,
# the first item the parent took)
_SHARE: Any = None


def _call(index: int) -> tuple[bool, Any]:
    """Item `index` answered here, unless this process's parent took it first: (answered, result)."""
    assert _WORK is not None and _SHARE is not None, "a forked worker has no work"
    front, back = _SHARE
    with front.get_lock():
        if index >= back.value:
            return False, None  # the parent answered it
        front.value = max(front.value, index + 1)
    return True, _WORK(_ITEMS[index])


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

    The forked workers take items from the front and this process from the back, with `local` where given (what
    `work` does, without what only crossing needs), until they meet: whichever runs slower answers fewer. A forked
    worker freezes what it inherited (`gc.freeze`), so its garbage collections walk only what it made itself."""
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
    global _WORK, _SHARE, _ITEMS
    context = multiprocessing.get_context("fork")
    front, back = context.Value("q", 0), context.Value("q", len(items))
    _WORK, _SHARE, _ITEMS = work, (front, back), items
    own: dict[int, Result] = {}
    try:
        with context.Pool(count - 1, initializer=gc.freeze) as pool:
            chunk = max(1, len(items) // ((count - 1) * 8))
            pending = pool.imap(_call, range(len(items)), chunksize=chunk)
            while True:
                with front.get_lock():
                    if back.value - 1 < front.value:
                        break
                    back.value -= 1
                    index = back.value
                own[index] = own_work(items[index])
            for index, (answered, result) in enumerate(pending):
                yield result if answered else own.pop(index)
    finally:
        _WORK, _SHARE, _ITEMS = None, None, ()
