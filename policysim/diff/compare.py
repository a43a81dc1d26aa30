"""Put every request of the space to both models and keep those whose decision changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from policysim.catalogue import ActionCatalogue
from policysim.engine.outcome import Outcome
from policysim.enums import Decision
from policysim.flows.assume_role import AssumeParams, assume_role
from policysim.scenario.actor import Actor
from policysim.scenario.api import Scenario
from policysim.scenario.resolve import TRUST_ACTIONS, request_target

from .callers import Caller, callers
from .harvest import Harvest, harvest
from .space import ActionClass, Context, Probe, action_classes, concrete_resources, context_values
from .space import resources_for as resources_of

Progress = Callable[[int, int], None]  # done, total


class ChangeKind(StrEnum):
    """How a request's decision changed."""

    NEW_ACCESS = "new-access"  # not allowed before, allowed now
    REMOVED_ACCESS = "removed-access"  # allowed before, denied now
    DENY_CHANGED = "deny-changed"  # denied both times, for a different kind of reason


@dataclass(frozen=True)
class Change:
    """A request whose decision differs between the models; an outcome is None where the model lacks the request."""

    kind: ChangeKind
    probe: Probe
    before: Outcome | None
    after: Outcome | None


@dataclass(frozen=True)
class Exploration:
    """The changes found between two models, and how much was explored."""

    base: str | None
    new: str | None
    changes: tuple[Change, ...]
    requests: int
    callers: int
    actions: int
    resources: int
    context_keys: int


class Side:
    """One model, with its callers resolved once; `roles` are the roles either model declares."""

    def __init__(self, scenario: Scenario | None, roles: set[str]) -> None:
        self.scenario = scenario
        self.roles = roles
        self._actors: dict[str, Actor | None] = {}

    def outcome(self, probe: Probe) -> Outcome | None:
        """The model's answer to a probe, or None where it does not have the caller or the role."""
        scenario = self.scenario
        if scenario is None:
            return None
        key = probe.caller.key
        if key not in self._actors:
            self._actors[key] = probe.caller.actor(scenario)
        actor = self._actors[key]
        if actor is None:
            return None
        action = probe.action.name
        extra: dict[str, tuple[str, ...] | None] = {k.lower(): (v,) for k, v in probe.context}
        world = scenario.world
        if action.lower() in TRUST_ACTIONS and probe.resource in self.roles:
            role = world.roles.get(probe.resource)
            if role is None:  # the other model declares this role; this one does not have it
                return None
            if action.lower() == "sts:assumerole":
                return assume_role(scenario.evaluator, actor, role, AssumeParams(context=extra)).outcome
        target = request_target(world, action, probe.resource, None, actor, None)
        return scenario.evaluator.evaluate(actor, action, target, extra)


def classify(before: Outcome | None, after: Outcome | None) -> ChangeKind | None:
    """The kind of change, if any; a missing request counts as no access, never as a deny that changed."""
    was = before is not None and before.allowed
    now = after is not None and after.allowed
    if was != now:
        return ChangeKind.NEW_ACCESS if now else ChangeKind.REMOVED_ACCESS
    if before is None or after is None or was:
        return None
    return ChangeKind.DENY_CHANGED if before.decision is not after.decision else None


@dataclass
class RequestSpace:
    """The request space of two models: callers x action classes x resources x context variants."""

    callers: list[Caller]
    classes: list[ActionClass]
    resources: list[str]
    contexts: dict[str, tuple[str, list[str]]]
    found: Harvest
    roles: set[str]

    def probes(self) -> list[Probe]:
        """Every request to put to both models; each plain request comes before its context variants."""
        out: list[Probe] = []
        for action in self.classes:
            keys = self.found.condition_keys(action.name.lower())
            variants: list[Context] = [()]
            variants += [((name, v),) for key, (name, values) in self.contexts.items() if key in keys for v in values]
            for caller in self.callers:
                for resource in resources_of(action, caller, self.resources):
                    out += [Probe(caller, action, resource, context) for context in variants]
        return out


def plan(base: Scenario | None, new: Scenario | None, catalogue: ActionCatalogue | None) -> RequestSpace:
    """The request space both models define."""
    sides = [s for s in (base, new) if s is not None]
    found = Harvest()
    users: set[str] = set()
    roles: set[str] = set()
    for scenario in sides:
        found = found.merge(harvest(scenario))
        users.update(scenario.world.users)
        roles.update(scenario.world.roles)
    return RequestSpace(
        callers(found, users, roles),
        action_classes(found, catalogue),
        concrete_resources(found),
        context_values(found),
        found,
        roles,
    )


def explore(
    base: Scenario | None,
    new: Scenario | None,
    catalogue: ActionCatalogue | None,
    progress: Progress | None = None,
) -> Exploration:
    """Every request of the space whose decision differs between `base` and `new`."""
    space = plan(base, new, catalogue)
    probes = space.probes()
    left, right = Side(base, space.roles), Side(new, space.roles)
    changes: list[Change] = []
    baseline: dict[tuple[str, str, str], tuple[Decision | None, Decision | None]] = {}
    for index, probe in enumerate(probes):
        if progress is not None and index % 256 == 0:
            progress(index, len(probes))
        before, after = left.outcome(probe), right.outcome(probe)
        pair = (_decision(before), _decision(after))
        where = (probe.caller.key, probe.action.name, probe.resource)
        if not probe.context:
            baseline[where] = pair
        elif baseline.get(where) == pair:
            continue  # the same change (or none) as without the extra key: nothing new to show
        kind = classify(before, after)
        if kind is not None:
            changes.append(Change(kind, probe, before, after))
    if progress is not None:
        progress(len(probes), len(probes))
    return Exploration(
        base.file if base is not None else None,
        new.file if new is not None else None,
        tuple(changes),
        len(probes),
        len(space.callers),
        sum(len(c.members) for c in space.classes),
        len(space.resources),
        len(space.contexts),
    )


def _decision(outcome: Outcome | None) -> Decision | None:
    return outcome.decision if outcome is not None else None
