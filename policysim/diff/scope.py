"""Which requests of the space `policysim diff` puts to both models: those a difference between them reaches.

For each action class, the callers are taken in groups that are offered the same resources (one partition and
account) and whose targets resolve alike (one principal account and partition), so a target's differences are found
once per group. A caller none of whose differences covers the action, in a group with no differing target, costs
nothing; the others are offered the resources a difference reaches, in the space's order (delta.py says what
reaches what).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from policysim.request import Principal
from policysim.services.sts import TRUST_ACTIONS
from policysim.space.actions import ActionClass
from policysim.space.callers import Caller
from policysim.space.resources import DEFAULT_ACCOUNT, ResourcePool, caller_partition
from policysim.world.actor import Actor
from policysim.world.world import World

from .delta import NOWHERE, WHOLE, Differ, Reach


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
    (delta.py). Callers are grouped by the resources they are offered and the targets those resolve to.

    `actors`: each caller's actor in the left and the right model (None where that model lacks it); `worlds`: the
    two models' worlds, or None to put every request (a file on one side only, or an exhaustive exploration)."""

    def __init__(
        self,
        callers: Sequence[Caller],
        actors: Sequence[tuple[Actor | None, Actor | None]],
        resources: ResourcePool,
        worlds: tuple[World, World] | None,
    ) -> None:
        self.resources = resources
        self.unreached = 0
        compared = worlds is not None and worlds[0].imported == worlds[1].imported
        self._differ = Differ(*worlds) if worlds is not None and compared else None
        groups: dict[tuple[str, str, str | None, str | None], _Group] = {}
        for index, (caller, (mine, theirs)) in enumerate(zip(callers, actors, strict=True)):
            member = self._member(index, caller, mine, theirs)
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
            resources = self.resources.for_key(action, group.partition, group.account)
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
