"""Who can become whom through sts:AssumeRole: from each caller, the role sessions it reaches, shortest paths first.

Every hop is a real AssumeRole request, authorized by the one evaluator (trust policy and the caller's side, as
`flows/assume_role.py` walks it) and minted into the session that makes the next hop, so a trust policy conditioned
on the session (its name, tags, source identity) is judged as AWS would. A hop that the model cannot decide
(`undetermined`, from unknown imported values) is followed too, and everything reached through it is undetermined.

Only roles whose trust policy has an Allow statement for AssumeRole naming the caller are tried: AWS requires the
trust policy to allow the caller ("the role trust policy must allow the principal": the engine's must-allow gate),
so no other role can be assumed. A trust policy the model does not know is always tried.

With `conditional`, a hop refused for want of context keys the hop did not carry (`sts:ExternalId`,
`aws:MultiFactorAuthPresent`, `aws:SourceIp`, ...) is put to discovery (engine/discovery.py, each alternative
verified through the same flow) and, when some context would allow it, followed as a conditional hop: everything
reached through it is conditional, never allowed (`decision_through`). The caller chooses the ExternalId it sends, so
a trust policy that requires one still lets in whoever knows it: "AWS does not treat the external ID as a secret"
(id_roles_create_for-user_externalid). A role reached only through an undetermined or conditional hop does not hide
a later certain path to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from policysim.engine.discovered import DiscoveryStatus
from policysim.engine.outcome import Outcome
from policysim.enums import Decision, Effect
from policysim.flows.assume_role import AssumeParams, assume_role, mint_session
from policysim.world.actor import Actor
from policysim.world.world import RoleInfo, World

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

    @property
    def conditional(self) -> bool:
        """Was the hop refused, but allowed under conditions on context keys it did not carry (`outcome.discovery`)?"""
        return self.outcome.discovery is not None and self.outcome.decision is not Decision.UNDETERMINED


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

    @property
    def conditional(self) -> bool:
        """Does the path pass a conditional hop?"""
        return any(hop.conditional for hop in self.hops)


def decision_through(outcome: Outcome, hops: Sequence[Hop]) -> Decision:
    """The decision of a request made at the end of `hops`: `undetermined` when it is allowed but a hop is; the
    refused decision of the first conditional hop, when one is (the request is conditional at best)."""
    refused = next((hop for hop in hops if hop.conditional), None)
    if refused is not None:
        return refused.outcome.decision
    if outcome.decision is Decision.ALLOWED and not all(hop.certain for hop in hops):
        return Decision.UNDETERMINED
    return outcome.decision


class Reached:
    """What an answer made at the end of a path of hops says (mixed into who-can's and what-can's answers)."""

    hops: tuple[Hop, ...]
    outcome: Outcome  # slim

    @property
    def decision(self) -> Decision:
        """The decision at the end of the path (`decision_through`)."""
        return decision_through(self.outcome, self.hops)

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles assumed on the way, in order."""
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


class TrustIndex:
    """The roles of a world by the principals their trust policies' AssumeRole Allow statements name, so a caller's
    candidate roles are looked up rather than scanned. Conservative: a statement naming `*`, a NotPrincipal, a
    statement without Principal, or a trust policy the model does not know makes its role a candidate for everyone;
    `could_trust` then decides exactly."""

    def __init__(self, world: World) -> None:
        self.roles = sorted(world.roles.values(), key=lambda r: r.arn)
        always: set[int] = set()
        by_key: dict[str, set[int]] = {}
        for index, role in enumerate(self.roles):
            trust = role.trust
            if trust is None:
                continue
            if trust.unknown is not None:
                always.add(index)
                continue
            for statement in trust.for_action(ASSUME):
                names = statement.principals
                if statement.effect is not Effect.ALLOW:
                    continue
                if names is None or statement.principals_negated or names.wildcard:
                    always.add(index)
                    continue
                for key in (*names.arns, *names.accounts, *names.services):
                    by_key.setdefault(key, set()).add(index)
        self._always = always
        self._by_key = by_key

    def candidates(self, actor: Actor) -> list[RoleInfo]:
        """The roles `actor` could assume (whose trust policy could allow it), in ARN order."""
        principal = actor.principal
        found = set(self._always)
        for key in (principal.arn, principal.role_arn, principal.account):
            if key is not None:
                found |= self._by_key.get(key, set())
        return [self.roles[i] for i in sorted(found) if could_trust(self.roles[i], actor)]


def paths(
    model: Model,
    actor: Actor,
    max_hops: int = MAX_HOPS,
    index: TrustIndex | None = None,
    *,
    conditional: bool = False,
) -> Iterator[Path]:
    """The caller as itself, then each role session it reaches, by its shortest path (breadth first; each role once,
    the caller's own role never, roles in ARN order within a depth). Give `index` to share it between callers; with
    `conditional`, hops allowed only under conditions on absent context keys are followed too (module docstring)."""
    start = Path((), actor)
    yield start
    if max_hops <= 0:
        return
    index = index or TrustIndex(model.world)
    seen = {actor.principal.principal_arn} if actor.is_session else set()  # reached for sure
    seen_weakly: set[str] = set()  # reached only through an undetermined or conditional hop
    frontier = [start]
    for _ in range(max_hops):
        reached: list[Path] = []
        for path in frontier:
            for role in index.candidates(path.actor):
                if role.arn in seen or (not path.certain and role.arn in seen_weakly):
                    continue
                hop = assume(model, path.actor, role, conditional=conditional)
                if hop is None:
                    continue
                walked = Path((*path.hops, hop[0]), hop[1])
                if not walked.certain and role.arn in seen_weakly:
                    continue
                (seen if walked.certain else seen_weakly).add(role.arn)
                reached.append(walked)
        yield from reached
        frontier = reached
        if not frontier:
            return


def assume(model: Model, actor: Actor, role: RoleInfo, *, conditional: bool = False) -> tuple[Hop, Actor] | None:
    """The hop and the session it mints, when AssumeRole is allowed or undetermined (and might be allowed); with
    `conditional`, also when it is allowed under conditions on context keys it did not carry (the hop's outcome
    then carries the discovery; the session is minted without that context)."""
    result = assume_role(model.evaluator, actor, role, PARAMS)
    outcome = result.outcome
    if result.session is not None:
        return Hop(role.arn, outcome.slim()), result.session
    if outcome.decision is Decision.UNDETERMINED and not outcome.denied_anyway:
        return Hop(role.arn, outcome.slim()), mint_session(model.evaluator, actor, role, PARAMS)
    if conditional and outcome.missing_keys and outcome.decision is not Decision.UNDETERMINED:
        from policysim.engine.discovery import discover

        def again(keys: Mapping[str, tuple[str, ...]]) -> Outcome:
            context = {key.lower(): values for key, values in keys.items()}
            return assume_role(model.evaluator, actor, role, replace(PARAMS, context=context), mint=False).outcome

        found = discover(outcome, again)
        if found.status is DiscoveryStatus.FOUND:
            hop = Hop(role.arn, replace(outcome.slim(), discovery=found))
            return hop, mint_session(model.evaluator, actor, role, PARAMS)
    return None


def reachable(model: Model, actors: Sequence[Actor], max_hops: int = MAX_HOPS) -> list[list[Path]]:
    """For each actor, every path of `paths` (one index shared)."""
    index = TrustIndex(model.world)
    return [list(paths(model, actor, max_hops, index)) for actor in actors]
