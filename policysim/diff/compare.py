"""Put every request of the space to both models and keep those whose decision changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from policysim.catalogue import ActionCatalogue
from policysim.engine.outcome import Outcome
from policysim.enums import ChangeKind, Decision
from policysim.request import Principal
from policysim.scenario.api import Scenario
from policysim.services.sts import TRUST_ACTIONS
from policysim.world.actor import Actor

from .callers import Caller, callers
from .delta import NOWHERE, WHOLE, Differ, Reach
from .harvest import ConditionIndex, Harvest, harvest
from .resources import DEFAULT_ACCOUNT, ResourcePool, caller_partition
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
    """The changes found between two models, and how much was explored.

    `requests`: the requests of the space explored, `evaluated` + `unreached`. `evaluated`: those put to both models
    (with their context variants); `unreached`: the (caller, action, resource) requests that no difference between
    the models reaches (delta.py), so both answer them alike and they were not put (nor their variants)."""

    base: str | None
    new: str | None
    changes: tuple[Change, ...]
    requests: int
    callers: int
    actions: int
    resources: int
    context_keys: int
    evaluated: int = 0
    unreached: int = 0


class Side:
    """One model, with its callers resolved once; `roles` are the roles either model declares."""

    def __init__(self, scenario: Scenario | None, roles: set[str]) -> None:
        self.scenario = scenario
        self.roles = roles
        self._actors: dict[str, Actor | None] = {}

    def actor(self, caller: Caller) -> Actor | None:
        """The caller in this model (made once), or None where the model does not have it."""
        key = caller.key
        if key not in self._actors:
            self._actors[key] = caller.actor(self.scenario) if self.scenario is not None else None
        return self._actors[key]

    def outcome(self, probe: Probe) -> Outcome | None:
        """The model's answer to a probe, or None where it does not have the caller or the role."""
        scenario = self.scenario
        if scenario is None:
            return None
        actor = self.actor(probe.caller)
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
    conditions: ConditionIndex

    def variants(self, action: ActionClass) -> list[tuple[str, str]]:
        """The (key as written, value) pairs worth trying for an action: keys its statements' conditions test."""
        keys = self.conditions.keys(action.name.lower())
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
        ConditionIndex(found.conditioned),
    )


def explore(
    base: Scenario | None,
    new: Scenario | None,
    catalogue: ActionCatalogue | None,
    progress: Progress | None = None,
    *,
    exhaustive: bool = False,
) -> Exploration:
    """Every request of the space whose decision differs between `base` and `new`.

    `exhaustive`: put every request of the space to both models, not only those a difference reaches (the same
    changes, much more slowly: for tests and measurements)."""
    changes: list[Change] = []
    found = explore_into(base, new, catalogue, changes.append, progress, exhaustive=exhaustive)
    return replace(found, changes=tuple(changes))


def explore_into(
    base: Scenario | None,
    new: Scenario | None,
    catalogue: ActionCatalogue | None,
    sink: Callable[[Change], None],
    progress: Progress | None = None,
    *,
    exhaustive: bool = False,
) -> Exploration:
    """`explore`, handing each change to `sink` as it is found (in the order `explore` lists them) instead of
    keeping them: the exploration returned has no changes."""
    space = plan(base, new, catalogue)
    left, right = Side(base, space.roles), Side(new, space.roles)
    scope = Scope(left, right, space, exhaustive)
    requests = 0
    for done, action in enumerate(space.classes):
        if progress is not None:
            progress(done, len(space.classes))
        variants = space.variants(action)
        for caller, resources in scope.reached(action):
            for resource in resources:
                requests += _put(left, right, Probe(caller, action, resource, ()), variants, space, sink)
    if progress is not None:
        progress(len(space.classes), len(space.classes))
    return Exploration(
        base.file if base is not None else None,
        new.file if new is not None else None,
        (),
        requests + scope.unreached,
        len(space.callers),
        sum(len(c.members) for c in space.classes),
        len(space.resources.resources),
        len(space.contexts),
        requests,
        scope.unreached,
    )


def _put(
    left: Side,
    right: Side,
    plain: Probe,
    variants: list[tuple[str, str]],
    space: RequestSpace,
    sink: Callable[[Change], None],
) -> int:
    """Put one request and its context variants to both models; hand each change to `sink`. How many were put."""
    before, after = left.outcome(plain), right.outcome(plain)
    requests = 1
    kind = classify(before, after)
    if kind is not None:
        sink(Change(kind, plain, _slim(before), _slim(after)))
    tested = _tested_keys(before, after) | space.found.always_keys
    for key, value in variants:
        if key.lower() not in tested:
            continue  # no condition of a statement that applies here reads this key
        probe = Probe(plain.caller, plain.action, plain.resource, ((key, value),))
        was, now = left.outcome(probe), right.outcome(probe)
        requests += 1
        if (_decision(was), _decision(now)) == (_decision(before), _decision(after)):
            continue  # the same change (or none) as without the key: nothing new to show
        kind = classify(was, now)
        if kind is not None:
            sink(Change(kind, probe, _slim(was), _slim(now)))
    return requests


@dataclass
class _Caller:
    """A caller of the space with what differs between its two actors."""

    index: int
    caller: Caller
    reach: Reach
    actors: tuple[Actor, Actor] | None  # both sides' actors, where both models have the caller
    only: tuple[int, Actor] | None = None  # the one side that has the caller, and its actor there

    @property
    def dirty(self) -> bool:
        """Can a difference reach this caller's requests, whatever their targets?"""
        return bool(self.reach) or self.only is not None

    @property
    def principal(self) -> Principal | None:
        """The caller's principal (the same on both sides where its reach is not whole)."""
        if self.actors is not None:
            return self.actors[0].principal
        return self.only[1].principal if self.only is not None else None


@dataclass
class _Group:
    """Callers offered the same resources (one partition and account) whose targets are the same (one principal
    account and partition): the targets' differences are found once for them all."""

    partition: str
    account: str
    members: list[_Caller]
    actors: tuple[Actor, Actor] | None = None  # a member's, to resolve the targets with
    dirty: list[_Caller] = field(default_factory=list)


class Scope:
    """Which requests of the space to put to both models: those that a difference between them reaches
    (delta.py). Callers are grouped by the resources they are offered and the targets those resolve to."""

    def __init__(self, left: Side, right: Side, space: RequestSpace, exhaustive: bool) -> None:
        self.space = space
        self.unreached = 0
        worlds = [s.scenario.world for s in (left, right) if s.scenario is not None]
        compared = not exhaustive and len(worlds) == 2 and worlds[0].imported == worlds[1].imported
        self._differ = Differ(worlds[0], worlds[1]) if compared else None
        groups: dict[tuple[str, str, str | None, str | None], _Group] = {}
        for index, caller in enumerate(space.callers):
            member = self._member(index, caller, left.actor(caller), right.actor(caller))
            either = member.actors[0] if member.actors is not None else member.only[1] if member.only else None
            partition, account = caller_partition(caller), caller.account or DEFAULT_ACCOUNT
            owner = (either.principal.account, either.principal.partition) if either is not None else (None, None)
            group = groups.setdefault((partition, account, *owner), _Group(partition, account, []))
            group.members.append(member)
            if member.dirty:
                group.dirty.append(member)
            if group.actors is None and member.actors is not None:
                group.actors = member.actors
        self._groups = list(groups.values())

    def _member(self, index: int, caller: Caller, mine: Actor | None, theirs: Actor | None) -> _Caller:
        differ = self._differ
        if differ is None:
            return _Caller(index, caller, WHOLE, None)
        if mine is not None and theirs is not None:
            return _Caller(index, caller, differ.actor(mine, theirs), (mine, theirs))
        if mine is not None:
            return _Caller(index, caller, differ.grants(mine), None, (0, mine))
        if theirs is not None:
            return _Caller(index, caller, differ.grants(theirs), None, (1, theirs))
        return _Caller(index, caller, NOWHERE, None)  # neither model has it: no answers to compare

    def reached(self, action: ActionClass) -> list[tuple[Caller, list[str]]]:
        """The callers of the space, in order, with the resources to try `action` on that a difference reaches."""
        lower = action.name.lower()
        trust = lower in TRUST_ACTIONS
        out: list[tuple[int, Caller, list[str]]] = []
        for group in self._groups:
            resources = self.space.resources.for_key(action, group.partition, group.account)
            everyone, named = self._targets(group, action, lower, trust, resources)
            if everyone or named:  # every member may be reached through a target
                members = group.members
            else:
                members = group.dirty
                self.unreached += len(resources) * (len(group.members) - len(group.dirty))
            shared = [r for r in resources if r in everyone] if everyone else []
            order: dict[str, int] | None = None
            for member in members:
                own = member.reach.for_action(lower)
                if own.whole:
                    chosen = resources
                elif own or member.only is not None or named:
                    picked = set(everyone)
                    principal = member.principal
                    picked.update(r for r, reach in named.items() if reach.names(principal))
                    if member.only is not None:
                        granted = self._granted(member, action, lower, trust, resources)
                        picked.update(r for r, reach in granted.items() if reach.names(principal))
                    if own:
                        picked.update(r for r in resources if own.covers(r))
                    if order is None:
                        order = {r: i for i, r in enumerate(resources)}
                    chosen = sorted(picked, key=order.__getitem__)
                else:
                    chosen = shared
                self.unreached += len(resources) - len(chosen)
                if chosen:
                    out.append((member.index, member.caller, chosen))
        out.sort(key=lambda item: item[0])
        return [(caller, chosen) for _, caller, chosen in out]

    def _targets(
        self, group: _Group, action: ActionClass, lower: str, trust: bool, resources: list[str]
    ) -> tuple[set[str], dict[str, Reach]]:
        """The resources of `resources` whose targets differ in a way that reaches `action` on them: for every
        caller, and (with the differing statements) for the callers those statements' Principal elements name."""
        differ = self._differ
        everyone: set[str] = set()
        named: dict[str, Reach] = {}
        if differ is None or group.actors is None:
            return everyone, named
        mine, theirs = group.actors
        for resource in resources:
            reach = differ.target(action.name, resource, trust, mine, theirs).for_action(lower).on(resource)
            if reach.everyone:
                everyone.add(resource)
            elif reach:
                named[resource] = reach
        return everyone, named

    def _granted(
        self, member: _Caller, action: ActionClass, lower: str, trust: bool, resources: list[str]
    ) -> dict[str, Reach]:
        """For a caller only one model has: the Allow statements there of the resources' policies for `action` on
        them."""
        if self._differ is None or member.only is None:
            return {}
        side, actor = member.only
        found: dict[str, Reach] = {}
        for resource in resources:
            reach = self._differ.allows(side, action.name, resource, trust, actor).for_action(lower).on(resource)
            if reach:
                found[resource] = reach
        return found


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
    """The outcome without the request, the policy set and the analysis it was made from: a report needs only the
    decision and why (its reasons), and a diff may keep many."""
    return replace(outcome, request=None, policies=None, analysis=None) if outcome is not None else None


def _decision(outcome: Outcome | None) -> Decision | None:
    return outcome.decision if outcome is not None else None
