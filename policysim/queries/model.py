"""What a question over a model needs of it: its world, its evaluator and its one way to answer a request.

`policysim.Scenario` is such a model; the queries name this protocol rather than the scenario, so the arrows of the
house keep pointing down (the scenario's `who_can`, `what_can` and `graph` call into this package).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from policysim.engine.outcome import Outcome
from policysim.errors import Location
from policysim.model.records import Test
from policysim.world.actor import Actor
from policysim.world.evaluator import Evaluator
from policysim.world.world import World


class Model(Protocol):
    """A compiled model that answers requests (`policysim.Scenario`)."""

    @property
    def world(self) -> World: ...

    @property
    def evaluator(self) -> Evaluator: ...

    @property
    def tests(self) -> Sequence[Test]: ...

    @property
    def newer_actions(self) -> frozenset[str]: ...

    def check_request(
        self, action: str, resource: str, resource_account: str | None, where: Location | None
    ) -> None: ...

    def answer(
        self,
        actor: Actor,
        action: str,
        resource: str,
        extra: Mapping[str, tuple[str, ...] | None],
        resource_account: str | None = None,
        where: Location | None = None,
    ) -> Outcome: ...
