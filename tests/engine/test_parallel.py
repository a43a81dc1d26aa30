"""`parallel.fork_map`: the forked workers take items from the front and this process from the back until they
meet; every item is answered exactly once, in order, and a worker's exception is raised here."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from policysim.parallel import fork_map

needs_fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="fork is not available here"
)


def _who(item: int) -> tuple[int, int]:
    return item, os.getpid()


def _slow_here(item: int) -> tuple[int, int]:
    time.sleep(0.05)  # this process answers slowly, so the worker takes most of the items
    return item, os.getpid()


@needs_fork
def test_every_item_is_answered_once_in_order_by_both_processes() -> None:
    items = list(range(40))
    answers = list(fork_map(_who, items, 2, local=_slow_here))
    assert [item for item, _ in answers] == items
    pids = {pid for _, pid in answers}
    assert os.getpid() in pids and len(pids) == 2


@needs_fork
def test_this_process_takes_items_from_the_back() -> None:
    answers = list(fork_map(_who, list(range(40)), 2, local=_slow_here))
    mine = [item for item, pid in answers if pid == os.getpid()]
    assert mine and mine == list(range(40 - len(mine), 40))


def _fails_at_three(item: int) -> int:
    if item == 3:
        raise ValueError("item 3")
    return item


@needs_fork
def test_an_exception_in_a_worker_is_raised_here() -> None:
    with pytest.raises(ValueError, match="item 3"):
        list(fork_map(_fails_at_three, list(range(40)), 2, local=_slow_here))


def test_one_worker_answers_in_this_process() -> None:
    assert [pid for _, pid in fork_map(_who, [1, 2, 3], None)] == [os.getpid()] * 3
