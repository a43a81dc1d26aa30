"""Many requests at once (contracts.md section 8): `Scenario.evaluate_many` returns, in request order, exactly the
outcomes `Scenario.evaluate` would.

With several workers the requests are spread over forked processes (`policysim.parallel.fork_map`): each worker
inherits the compiled scenario once, at its start, receives only the requests (their keyword dictionaries) and
sends back outcomes whose policies cross as references to the policies both hold (`scenario.transfer`). Where
`fork` is not available (Windows, macOS' default), the requests are evaluated in this process. With a `cluster`
address they run on a Dask cluster instead, beyond this machine (`scenario.cluster`, the extra `policysim[cluster]`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, cast

from policysim.cluster.client import check_spread
from policysim.engine.outcome import Outcome
from policysim.parallel import fork_map, worker_count
from policysim.scenario.cluster import evaluate_on_cluster
from policysim.scenario.transfer import SharedPolicies
from policysim.world.world import World

__all__ = ["evaluate_many", "worker_count"]

BATCH = 256  # requests per batch a worker evaluates and sends back at most


class Evaluating(Protocol):
    """What evaluate_many needs of a scenario: `Scenario.evaluate` and its compiled `world`."""

    @property
    def world(self) -> World: ...

    def evaluate(self, principal: str, action: str, resource: str, *args: Any, **kwargs: Any) -> Outcome: ...


def evaluate_many(
    scenario: Evaluating, requests: Iterable[Mapping[str, Any]], workers: int | None, cluster: str | None = None
) -> list[Outcome]:
    """The outcomes of `requests` (each a dict of `evaluate`'s keywords), in order; errors as `evaluate` raises them.

    `workers` counts this machine's processes; `cluster` (`tcp://HOST:PORT`, `local`, `local:N`) runs them on a Dask
    cluster instead, whose size is its own: giving both is refused."""
    check_spread(workers, cluster)
    if cluster is not None:
        return evaluate_on_cluster(scenario, requests, cluster)
    # copied as they come (a generator may hand out one dict changed between requests); forked workers inherit them
    items: list[Mapping[str, Any]] = [dict(request) for request in requests]
    count = min(worker_count(workers), len(items))
    if count <= 1:
        return [scenario.evaluate(**request) for request in items]
    try:
        return _spread(scenario, items, count)
    except Exception:
        # the batches ran out of request order (and this process answered its share first): the error seen may
        # not be the first request's; asked in order here, the first invalid request raises its own error
        return [scenario.evaluate(**request) for request in items]


def _spread(scenario: Evaluating, items: list[Mapping[str, Any]], count: int) -> list[Outcome]:
    """`items` answered over `count` processes (this one among them), in request order."""
    # the requests of one caller (and chain, and action) go together, so one worker makes their plans and indexes
    # (spread evenly, each worker would make nearly all of them); the outcomes go back to the requests' order
    order = sorted(range(len(items)), key=lambda index: _caller(items[index]))
    # batches: one pickle per batch names each class once (per outcome, resolving them costs what evaluating does)
    size = max(1, min(BATCH, len(items) // (count * 4)))
    batches = [[items[index] for index in order[start : start + size]] for start in range(0, len(items), size)]
    outcomes: list[Outcome | None] = [None] * len(items)
    with SharedPolicies(scenario.world.compiled_policies()) as shared:

        def own(requests: list[Mapping[str, Any]]) -> bytes | list[Outcome]:
            return [scenario.evaluate(**request) for request in requests]

        def batch(requests: list[Mapping[str, Any]]) -> bytes | list[Outcome]:
            return shared.dumps(own(requests))

        def received(data: bytes | list[Outcome]) -> list[Outcome]:
            return data if isinstance(data, list) else cast(list[Outcome], shared.loads(data))

        answered = (outcome for data in fork_map(batch, batches, count, own) for outcome in received(data))
        for index, outcome in zip(order, answered, strict=True):
            outcomes[index] = outcome
    return cast(list[Outcome], outcomes)


def _caller(request: Mapping[str, Any]) -> tuple[str, str, str]:
    """What a request's plans depend on first: its caller, the roles it assumes, its action."""
    return str(request.get("principal")), str(request.get("assume", "")), str(request.get("action"))
