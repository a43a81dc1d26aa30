"""One request of one actor against the world: service rules first, then AWS's policy logic."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from policysim.engine.decide import decide
from policysim.engine.outcome import Outcome
from policysim.scenario.actor import Actor
from policysim.scenario.resolve import Target, build_request, policy_set
from policysim.scenario.world import World
from policysim.services.rules import service_rule

Clock = Callable[[], datetime]
_LAST_SECOND: dict[int, tuple[str, str]] = {}


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def clock_values(moment: datetime) -> tuple[str, str]:
    """aws:CurrentTime (ISO 8601, UTC) and aws:EpochTime (seconds) for a moment."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), str(int(moment.timestamp()))


@dataclass(frozen=True)
class Evaluator:
    """Evaluates requests in a world, with a clock the caller can fix."""

    world: World
    clock: Clock = utc_now

    def now(self) -> tuple[str, str]:
        """The clock's current aws:CurrentTime and aws:EpochTime values (formatted once per second)."""
        moment = self.clock()
        second = int(moment.timestamp())
        cached = _LAST_SECOND.get(second)
        if cached is None:
            cached = clock_values(moment)
            _LAST_SECOND.clear()
            _LAST_SECOND[second] = cached
        return cached

    def evaluate(
        self, actor: Actor, action: str, target: Target, extra: Mapping[str, tuple[str, ...] | None]
    ) -> Outcome:
        """The outcome of `actor` doing `action` on `target` with extra context keys."""
        request = build_request(self.world, actor, action, target, extra, self.now())
        ruled = service_rule(request)
        if ruled is not None:
            return ruled
        return decide(request, policy_set(self.world, actor, request, target))
