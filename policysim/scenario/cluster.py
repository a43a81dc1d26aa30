"""Many requests beyond one machine (contracts.md section 8): `evaluate_many`'s work on a Dask cluster, the extra
`policysim[cluster]`: one use of the generic `policysim.cluster.client.cluster_map`, whose payload is the scenario
(with what to keep of each outcome) and whose items are the requests.

The compiled scenario is shipped once per call and worker (`cluster_map`); its clock goes with it: a fixed clock
stays fixed, the default clock reads each worker's wall clock. The requests go in batches of keyword dictionaries;
results are yielded in request order, and the first invalid request's error is raised as `evaluate` raises it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from typing import Any, TypeVar

from policysim.cluster.client import cluster_map, local_cluster, local_size
from policysim.engine.outcome import Outcome
from policysim.scenario.cluster_worker import Job, Shipped, evaluate_kept

__all__ = ["evaluate_on_cluster", "local_cluster", "local_size", "map_on_cluster"]

Kept = TypeVar("Kept")


def _outcome(outcome: Outcome) -> Outcome:
    return outcome


def evaluate_on_cluster(
    scenario: Shipped, requests: Iterable[Mapping[str, Any]], address: str, *, batch: int | None = None
) -> list[Outcome]:
    """The outcomes of `requests` (each a dict of `evaluate`'s keywords), in order, evaluated on the cluster at
    `address` (`tcp://HOST:PORT`, `local`, `local:N`); errors as `evaluate` raises them."""
    return list(map_on_cluster(scenario, requests, address, _outcome, batch=batch))


def map_on_cluster(
    scenario: Shipped,
    requests: Iterable[Mapping[str, Any]],
    address: str,
    keep: Callable[[Outcome], Kept],
    *,
    batch: int | None = None,
) -> Iterator[Kept]:
    """`keep(outcome)` of each request, in order, with `keep` run on the workers: for matrices whose outcomes are too
    many to bring back whole (`keep=lambda o: o.decision`). The requests are read as the workers take them, so a
    lazy iterable of any length is fine.

    Nothing happens until the first result is asked for; an error (the cluster's, or a request's) is raised then or
    later, in request order; stopping early stops the work."""
    # each request travels as a plain dictionary (a list stays a list, so that its length sizes the batches)
    items: Iterable[dict[str, Any]] = (
        [dict(r) for r in requests] if isinstance(requests, Sized) else (dict(r) for r in requests)
    )
    return cluster_map(Job(scenario, keep), evaluate_kept, items, address, batch=batch)
