"""Who can become whom through sts:AssumeRole: from each caller, the role sessions it reaches, shortest paths first.

Every hop is a real AssumeRole request, authorized by the one evaluator (trust policy and the caller's side, as
`flows/assume_role.py` walks it) and minted into the session that makes the next hop, so a trust policy conditioned
on the session (its name, tags, source identity) is judged as AWS would. A hop that the model cannot decide
(`undetermined`, from unknown imported values) is followed too, and everything reached through it is undetermined.

Only roles whose trust policy has an Allow statement for AssumeRole naming the caller are tried: AWS requires the
trust policy to allow the caller ("the role trust policy must allow the principal": the engine's must-allow gate),
so no other role can be assumed. A trust policy the model does not know is always tried.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from policysim.engine.outcome import Outcome
from policysim.enums import Decision, Effect
from policysim.flows.assume_role import AssumeParams, assume_role, mint_session
from policysim.world.actor import Actor
from policysim.world.world import RoleInfo

from .model import Model

MAX_HOPS = 5  # AWS sets no limit on role chaining; past five hops a path is rarely what anyone meant
ASSUME = "sts:assumerole"
PARAMS = AssumeParams()


@dataclass(frozen=True)
class Hop:
    """One AssumeRole hop of a path: the role assumed and the outcome that authorized it (its deciding statements)."""

    role: str  # the role ARN
    outcome: Outcome  # slim: the decision and its reasons

    @property
    def certain(self) -> bool:
        """Was the hop allowed for sure (not `undetermined`)?"""
        return self.outcome.decision is Decision.ALLOWED


@dataclass(frozen=True)
class Path:
    """A way for a caller to act: as itself (no hops), or as the session at the end of its hops."""

    hops: tuple[Hop, ...]
    actor: Actor  # who acts at the end of the path

    @property
    def certain(self) -> bool:
        """Is every hop of the path allowed for sure?"""
        return all(hop.certain for hop in self.hops)

    @property
    def roles(self) -> tuple[str, ...]:
        """The role ARNs of the hops, in order."""
        return tuple(hop.role for hop in self.hops)


def could_trust(role: RoleInfo, actor: Actor) -> bool:
    """Could the role's trust policy allow `actor` to assume it (an Allow statement for AssumeRole names it)?"""
    trust = role.trust
    if trust is None:
        return False
    if trust.unknown is not None:
        return True
    principal, bounded = actor.principal, actor.boundary is not None
    for statement in trust.for_action(ASSUME):
        if statement.effect is Effect.ALLOW and (
            statement.principals is None or statement.names(principal, bounded) is not None
        ):
            return True
    return False


def paths(model: Model, actor: Actor, max_hops: int = MAX_HOPS) -> Iterator[Path]:
    """The caller as itself, then each role session it reaches, by its shortest path (breadth first; each role once,
    the caller's own role never, roles in name order within a depth)."""
    start = Path((), actor)
    yield start
    roles = sorted(model.world.roles.values(), key=lambda r: r.arn)
    seen = {actor.principal.principal_arn} if actor.is_session else set()
    frontier = [start]
    for _ in range(max_hops):
        reached: list[Path] = []
        for path in frontier:
            for role in roles:
                if role.arn in seen or not could_trust(role, path.actor):
                    continue
                hop = assume(model, path.actor, role)
                if hop is not None:
                    seen.add(role.arn)
                    reached.append(Path((*path.hops, hop[0]), hop[1]))
        yield from reached
        frontier = reached
        if not frontier:
            return


def assume(model: Model, actor: Actor, role: RoleInfo) -> tuple[Hop, Actor] | None:
    """The hop and the session it mints, when AssumeRole is allowed or undetermined (and might be allowed)."""
    result = assume_role(model.evaluator, actor, role, PARAMS)
    outcome = result.outcome
    if result.session is not None:
        return Hop(role.arn, outcome.slim()), result.session
    if outcome.decision is Decision.UNDETERMINED and not outcome.denied_anyway:
        return Hop(role.arn, outcome.slim()), mint_session(model.evaluator, actor, role, PARAMS)
    return None


def reachable(model: Model, actors: Sequence[Actor], max_hops: int = MAX_HOPS) -> list[list[Path]]:
    """For each actor, every path of `paths`."""
    return [list(paths(model, actor, max_hops)) for actor in actors]
