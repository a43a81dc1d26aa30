"""Put every request of the space to both models and keep those whose decision changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from policysim.catalogue import ActionCatalogue
from policysim.engine.outcome import Outcome
from policysim.enums import ChangeKind, Decision
from policysim.scenario.api import Scenario
from policysim.services.sts import TRUST_ACTIONS
from policysim.world.actor import Actor

from .callers import Caller, callers
from .harvest import Harvest, harvest
from .resources import ResourcePool
from .space import ActionClass, Probe, action_classes, context_values

Progress = Callable[[int, int], None]  # action classes done, total


@dataclass(frozen=True)
class Change:
    """A request whose decision differs between the models; an outcome is None where the model lacks the request."""

    kind: ChangeKind
    probe: Probe
    before: Outcome | None
    after: Outcome | None


def may_widen(change: Change) -> bool:
    """Could the change give access the base model did not: new access, or an `undetermined` request that could be
    allowed now and was not allowed before."""
    if change.kind is ChangeKind.NEW_ACCESS:
        return True
    if change.kind is not ChangeKind.UNDETERMINED or change.after is None:
        return False
    could_now = change.after.allowed or (change.after.bounds is not None and Decision.ALLOWED in change.after.bounds)
    return could_now and not (change.before is not None and change.before.allowed)


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
        missing_role = probe.resource in self.roles and probe.resource not in scenario.world.roles
        if missing_role and action.lower() in TRUST_ACTIONS:
            return None  # the other model declares this role; this one does not have it
        return scenario.answer(actor, action, probe.resource, extra)


def classify(before: Outcome | None, after: Outcome | None) -> ChangeKind | None:
    """The kind of change, if any; a missing request counts as no access, never as a deny that changed."""
    unknown = [o for o in (before, after) if o is not None and o.decision is Decision.UNDETERMINED]
    if unknown and (before is None or after is None or before.decision is not after.decision):
        return ChangeKind.UNDETERMINED  # listed apart: the unknowns decide whether access changed
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
    resources: ResourcePool
    contexts: dict[str, tuple[str, list[str]]]
    found: Harvest
    roles: set[str]

    def variants(self, action: ActionClass) -> list[tuple[str, str]]:
        """The (key as written, value) pairs worth trying for an action: keys its statements' conditions test."""
        keys = self.found.condition_keys(action.name.lower())
        return [(name, v) for key, (name, values) in self.contexts.items() if key in keys for v in values]


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
        ResourcePool(found),
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
    left, right = Side(base, space.roles), Side(new, space.roles)
    changes: list[Change] = []
    requests = 0
    for done, action in enumerate(space.classes):
        if progress is not None:
            progress(done, len(space.classes))
        variants = space.variants(action)
        for caller in space.callers:
            for resource in space.resources.for_action(action, caller):
                plain = Probe(caller, action, resource, ())
                before, after = left.outcome(plain), right.outcome(plain)
                requests += 1
                kind = classify(before, after)
                if kind is not None:
                    changes.append(Change(kind, plain, _slim(before), _slim(after)))
                tested = _tested_keys(before, after) | space.found.always_keys
                for key, value in variants:
                    if key.lower() not in tested:
                        continue  # no condition of a statement that applies here reads this key
                    probe = Probe(caller, action, resource, ((key, value),))
                    was, now = left.outcome(probe), right.outcome(probe)
                    requests += 1
                    if (_decision(was), _decision(now)) == (_decision(before), _decision(after)):
                        continue  # the same change (or none) as without the key: nothing new to show
                    kind = classify(was, now)
                    if kind is not None:
                        changes.append(Change(kind, probe, _slim(was), _slim(now)))
    if progress is not None:
        progress(len(space.classes), len(space.classes))
    return Exploration(
        base.file if base is not None else None,
        new.file if new is not None else None,
        tuple(changes),
        requests,
        len(space.callers),
        sum(len(c.members) for c in space.classes),
        len(space.resources.resources),
        len(space.contexts),
    )


def _tested_keys(*outcomes: Outcome | None) -> set[str]:
    """The keys the conditions of the applying statements read: absent ones are reported missing, set ones are in
    the request context (a key the model sets, such as aws:CurrentTime or aws:MultiFactorAuthPresent)."""
    keys: set[str] = set()
    for outcome in outcomes:
        if outcome is not None:
            keys.update(k.lower() for k in outcome.missing_keys)
            if outcome.request is not None:
                keys.update(outcome.request.context.keys())
    return keys


def _slim(outcome: Outcome | None) -> Outcome | None:
    """The outcome without the request and policy set it was made from: a report needs only the decision and why."""
    return replace(outcome, request=None, policies=None) if outcome is not None else None


def _decision(outcome: Outcome | None) -> Decision | None:
    return outcome.decision if outcome is not None else None
