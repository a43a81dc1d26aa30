"""What a cluster's worker runs for `evaluate_many` (`scenario.cluster`): the job shipped once per worker (the
scenario, and what to keep of each outcome) and the work on one request. The plugin, the batches and the shipping
are `policysim.cluster`'s; this module imports no Dask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from policysim.engine.outcome import Outcome

Kept = TypeVar("Kept")


class Shipped(Protocol):
    """What a cluster's workers need of a scenario: `Scenario.evaluate`, and that it pickles."""

    def evaluate(self, principal: str, action: str, resource: str, *args: Any, **kwargs: Any) -> Outcome: ...


@dataclass(frozen=True)
class Job(Generic[Kept]):
    """What the workers hold for one call: the scenario, and what to keep of each outcome."""

    scenario: Shipped
    keep: Callable[[Outcome], Kept]


def evaluate_kept(job: Job[Kept], request: dict[str, Any]) -> Kept:
    """What to keep of one request's outcome (a dict of `evaluate`'s keywords); an invalid request raises as
    `evaluate` raises."""
    return job.keep(job.scenario.evaluate(**request))
