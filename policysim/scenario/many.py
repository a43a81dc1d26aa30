"""Many requests at once (contracts.md section 8): `Scenario.evaluate_many` returns, in request order, exactly the
outcomes `Scenario.evaluate` would.

With several workers the requests are spread over processes started by `fork`: each worker inherits the compiled
scenario once, at its start, and receives only the requests (their keyword dictionaries) and sends back outcomes.
Where `fork` is not available (Windows, macOS' default), the requests are evaluated in this process.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from policysim.engine.outcome import Outcome


class Evaluating(Protocol):
    """What evaluate_many needs of a scenario: `Scenario.evaluate`."""

    def evaluate(self, principal: str, action: str, resource: str, *args: Any, **kwargs: Any) -> Outcome: ...


_SCENARIO: Evaluating | None = None  # the scenario a forked worker inherited (set only around the pool)


def _one(request: Mapping[str, Any]) -> Outcome:
    assert _SCENARIO is not None, "evaluate_many's worker has no scenario"
    return _SCENARIO.evaluate(**request)


def worker_count(workers: int | None) -> int:
    """`None`: one process; `0`: every core; else that many (at least one)."""
    if workers is None:
        return 1
    if workers < 0:
        raise ValueError(f"workers must be 0 (every core) or more, got {workers}")
    return (os.cpu_count() or 1) if workers == 0 else workers


def evaluate_many(scenario: Evaluating, requests: Iterable[Mapping[str, Any]], workers: int | None) -> list[Outcome]:
    """The outcomes of `requests` (each a dict of `evaluate`'s keywords), in order; errors as `evaluate` raises them."""
    import multiprocessing  # only here: `import policysim` and `check` never start processes

    items = [dict(request) for request in requests]
    count = min(worker_count(workers), len(items))
    if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [scenario.evaluate(**request) for request in items]
    global _SCENARIO
    _SCENARIO = scenario
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            return pool.map(_one, items, chunksize=max(1, len(items) // (count * 4)))
    finally:
        _SCENARIO = None
