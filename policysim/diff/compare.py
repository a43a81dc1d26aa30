"""Put every request of the space to both models and keep those whose decision changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from policysim.catalogue import ActionCatalogue, builtin_catalogue
from policysim.cluster.client import check_spread, cluster_map
from policysim.context import SOURCE_VPCE
from policysim.engine.outcome import Outcome
from policysim.enums import ChangeKind, Decision
from policysim.parallel import fork_map, worker_count
from policysim.scenario.api import Scenario
from policysim.services.sts import TRUST_ACTIONS
from policysim.space.actions import ActionClass, Probe, action_classes, context_values
from policysim.space.callers import Caller, callers
from policysim.space.harvest import ConditionIndex, Harvest, harvest
from policysim.space.resources import ResourcePool
from policysim.world.actor import Actor

from .scope import Scope

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
            self._actors[key] = caller.actor(self.scenario.world) if self.scenario is not None else None
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


def _endpoints_both_declare(
    contexts: dict[str, tuple[str, list[str]]], sides: list[Scenario]
) -> dict[str, tuple[str, list[str]]]:
    """The context variants with `aws:SourceVpce` values cut to the VPC endpoints every model declares: a request
    through an endpoint a hand-written model does not declare is an error there (docs/semantics.md 14.8), and an
    imported model's unknown endpoint is `undetermined` whatever the other model says."""
    found = contexts.get(SOURCE_VPCE)
    if found is None:
        return contexts
    declared = [set(s.world.vpc_endpoints) for s in sides if not s.world.imported]
    values = [v for v in found[1] if all(v in d for d in declared)]
    out = {k: v for k, v in contexts.items() if k != SOURCE_VPCE}
    if values:
        out[SOURCE_VPCE] = (found[0], values)
    return out


def plan(base: Scenario | None, new: Scenario | None, catalogue: ActionCatalogue | None) -> RequestSpace:
    """The request space both models define."""
    sides = [s for s in (base, new) if s is not None]
    found = Harvest()
    users: set[str] = set()
    roles: set[str] = set()
    for scenario in sides:
        found = found.merge(harvest(scenario.world, scenario.tests))
        users.update(scenario.world.users)
        roles.update(scenario.world.roles)
    return RequestSpace(
        callers(found, users, roles),
        action_classes(found, catalogue),
        ResourcePool(found),
        _endpoints_both_declare(context_values(found), sides),
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
    workers: int | None = None,
    cluster: str | None = None,
) -> Exploration:
    """Every request of the space whose decision differs between `base` and `new`.

    `exhaustive`: put every request of the space to both models, not only those a difference reaches (the same
    changes, much more slowly: for tests and measurements). `workers`, `cluster`: as for `explore_into`."""
    changes: list[Change] = []
    found = explore_into(
        base, new, catalogue, changes.append, progress, exhaustive=exhaustive, workers=workers, cluster=cluster
    )
    return replace(found, changes=tuple(changes))


def explore_into(
    base: Scenario | None,
    new: Scenario | None,
    catalogue: ActionCatalogue | None,
    sink: Callable[[Change], None],
    progress: Progress | None = None,
    *,
    exhaustive: bool = False,
    workers: int | None = None,
    cluster: str | None = None,
) -> Exploration:
    """`explore`, handing each change to `sink` as it is found (in the order `explore` lists them) instead of
    keeping them: the exploration returned has no changes. `workers` processes (None: this one; 0: every core), or
    the workers of the Dask cluster at `cluster` (`policysim.cluster`: both models shipped once to each, which plan
    the space again), share the action classes, each sending back its classes' changes; the changes and their order
    are the same; not both."""
    check_spread(workers, cluster)
    # each cluster worker has the builtin catalogue: it is not shipped
    builtin = cluster is not None and catalogue is not None and catalogue is builtin_catalogue()
    question = _Question(base, new, None if builtin else catalogue, builtin, exhaustive)
    exploring = _Exploring(question)
    space = exploring.space
    total = len(space.classes)
    requests = unreached = done = 0
    if cluster is None and worker_count(workers) <= 1:  # one process: each change streams to the sink as found
        for index in range(total):
            if progress is not None:
                progress(index, total)
            put, left_out = exploring.classes((index,), sink)
            requests, unreached = requests + put, unreached + left_out
    else:
        size = max(1, total // (worker_count(workers) * 8)) if cluster is None else 1  # a cluster batches them
        batches = [range(i, min(i + size, total)) for i in range(0, total, size)]
        results = (
            fork_map(exploring.batch, batches, workers)
            if cluster is None
            else cluster_map(question, _batch, batches, cluster, prepare=_Exploring)
        )
        for changes, put, left_out in results:
            for change in changes:
                sink(change)
            requests, unreached, done = requests + put, unreached + left_out, done + size
            if progress is not None:
                progress(min(done, total), total)
    if progress is not None:
        progress(total, total)
    return Exploration(
        base.file if base is not None else None,
        new.file if new is not None else None,
        (),
        requests + unreached,
        len(space.callers),
        sum(len(c.members) for c in space.classes),
        len(space.resources.resources),
        len(space.contexts),
        requests,
        unreached,
    )


@dataclass(frozen=True)
class _Question:
    """A diff as a cluster's workers receive it (once each); they plan its space again (`_Exploring`)."""

    base: Scenario | None
    new: Scenario | None
    catalogue: ActionCatalogue | None  # None with `builtin`: the builtin catalogue; else named actions only
    builtin: bool
    exhaustive: bool


class _Exploring:
    """The request space of two models, their sides and the scope of their differences, made once: here, or once
    per cluster worker thread."""

    def __init__(self, question: _Question) -> None:
        base, new = question.base, question.new
        space = self.space = plan(base, new, builtin_catalogue() if question.builtin else question.catalogue)
        left, right = self.left, self.right = Side(base, space.roles), Side(new, space.roles)
        worlds = (base.world, new.world) if base is not None and new is not None and not question.exhaustive else None
        actors = [(left.actor(caller), right.actor(caller)) for caller in space.callers]
        self.scope = Scope(space.callers, actors, space.resources, worlds)

    def classes(self, indexes: Sequence[int], out: Callable[[Change], None]) -> tuple[int, int]:
        """Put the requests of these action classes; the requests put and those left unreached."""
        space, scope = self.space, self.scope
        before = scope.unreached
        requests = 0
        for index in indexes:
            action = space.classes[index]
            variants = space.variants(action)
            for caller, resources in scope.reached(action):
                for resource in resources:
                    requests += _put(self.left, self.right, Probe(caller, action, resource, ()), variants, space, out)
        return requests, scope.unreached - before

    def batch(self, indexes: Sequence[int]) -> tuple[list[Change], int, int]:
        """The changes of these action classes, the requests put and those left unreached."""
        changes: list[Change] = []
        requests, unreached = self.classes(indexes, changes.append)
        return changes, requests, unreached


def _batch(exploring: _Exploring, indexes: Sequence[int]) -> tuple[list[Change], int, int]:
    """`_Exploring.batch` as a cluster's workers run it (a module-level function pickles by reference)."""
    return exploring.batch(indexes)


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
    return outcome.slim() if outcome is not None else None


def _decision(outcome: Outcome | None) -> Decision | None:
    return outcome.decision if outcome is not None else None
