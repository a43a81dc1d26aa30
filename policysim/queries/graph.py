"""Who can become whom: the request space's callers as nodes, and an edge wherever one can get at another's
permissions by an edge kind of escalation.py, every request of it put to the one evaluator (`Model.answer`).

An edge exists only when each of its requests is allowed (or `undetermined`, and then the edge is marked so and kept
apart); its label is the statements that decided them. An AssumeRole refused only for want of context the request
did not carry (a trust asking for an `sts:ExternalId`, MFA, a source IP) is a *conditional* edge, with the conditions
discovery verified through the same flow ("AWS does not treat the external ID as a secret",
UG:id_roles_create_for-user_externalid: whoever knows it can use it); routes use conditional edges only after
certain ones, as undetermined ones. AssumeRole edges are chains.py's hops (`could_trust`, then
`assume`). `paths_to` answers "who can reach X, by which path", shortest first (breadth first over `become` edges).

Prefilters skip a request only where AWS could not allow it (so no edge that exists is dropped):
- IAM has no resource-based policies, so a request on a user, role, group or policy of another account is refused
  ("the resource-based policy in `AccountB` must allow the requester", UG:reference_policies_evaluation-logic-cross-
  account; the model cannot declare one for an IAM resource either, scenario/build.py refuses it);
- in one account, "If an action is allowed by an identity-based policy, a resource-based policy, or both, then AWS
  allows the action" (UG:reference_policies_evaluation-logic): without an Allow statement for the action in the
  caller's identity policies (or an unknown one) and without a resource policy for the resource, it is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from policysim.cluster.client import check_spread, cluster_map
from policysim.compile import compile_policy
from policysim.compiled import StatementRef
from policysim.engine.discovered import DiscoveryStatus
from policysim.engine.outcome import Outcome
from policysim.enums import Decision, Effect, PolicyKind
from policysim.errors import RequestError
from policysim.flows.assume_role import assume_role
from policysim.identifiers import is_account_id
from policysim.load import Document
from policysim.parallel import fork_map
from policysim.request import Principal, PrincipalKind
from policysim.space.callers import Caller, CallerKind, callers
from policysim.space.harvest import harvest
from policysim.world.actor import Actor
from policysim.world.world import RoleInfo, UserInfo

from .chains import PARAMS, assume, could_trust
from .conditions import with_conditions
from .escalation import KIND_NAMES, KINDS, REGION, EdgeKind, Family, On, Step, TargetType
from .model import Model

ADMIN = "admin"
BATCH = 8  # callers per piece of work sent to a worker process
Progress = Callable[[int, int], None]  # (callers done, callers in all)
Context = tuple[tuple[str, tuple[str, ...]], ...]
ASSUME_ROLE = KIND_NAMES["assume-role"]
IAM_CALLERS = (CallerKind.USER, CallerKind.ROLE, CallerKind.EXTERNAL)
Target = UserInfo | RoleInfo

ALLOWED, UNDETERMINED = Decision.ALLOWED, Decision.UNDETERMINED


@dataclass(frozen=True)
class EdgeRequest:
    """One request an edge stands for, and the outcome that allowed it (slim: its decision and reasons)."""

    principal: str  # who makes it: the edge's source (its caller key), or the service a role is passed to
    action: str
    resource: str
    context: Context
    outcome: Outcome
    hypothetical: bool = False  # judged under the trust policy the source would write (update-assume-role-policy)

    @property
    def statements(self) -> tuple[StatementRef, ...]:
        """The statements that decided it (for a conditional request: those its conditions come from)."""
        found = list(self.outcome.statements)
        discovery = self.outcome.discovery
        if self.conditional and discovery is not None and discovery.alternatives:
            found += [req.statement for req in discovery.alternatives[0].requirements]
        return tuple(dict.fromkeys(found))

    @property
    def conditional(self) -> bool:
        """Refused as asked, but allowed under conditions on context keys it did not carry (`outcome.discovery`)."""
        return self.outcome.discovery is not None and self.outcome.decision not in (ALLOWED, UNDETERMINED)

    @property
    def conditions(self) -> str | None:
        """The conditions of a conditional request, in words (the first alternative discovery verified)."""
        discovery = self.outcome.discovery
        if not self.conditional or discovery is None or not discovery.alternatives:
            return None
        return " and ".join(str(r) for r in discovery.alternatives[0].requirements)


@dataclass(frozen=True)
class Edge:
    """`source` can get at `target` by `kind`: every request allowed (or some undetermined)."""

    source: str  # caller keys
    target: str
    kind: EdgeKind
    requests: tuple[EdgeRequest, ...]

    @property
    def certain(self) -> bool:
        """Is every request allowed for sure?"""
        return all(r.outcome.decision is ALLOWED for r in self.requests)

    @property
    def conditional(self) -> bool:
        """Does a request need conditions on context it did not carry (an AssumeRole whose trust asks for an
        `sts:ExternalId` or MFA)?"""
        return any(r.conditional for r in self.requests)

    @property
    def decision(self) -> Decision:
        """`allowed`; `undetermined` when a request is; for a conditional edge, its refused request's decision."""
        if self.certain:
            return ALLOWED
        refused = next((r for r in self.requests if r.conditional), None)
        return refused.outcome.decision if refused is not None else UNDETERMINED

    @property
    def statements(self) -> tuple[StatementRef, ...]:
        """The deciding statements of its requests, each once: the edge's label."""
        return tuple(dict.fromkeys(s for r in self.requests for s in r.statements))


@dataclass(frozen=True)
class Route:
    """A shortest way from `source` to the target asked about: its edges in order (none: the source is it)."""

    source: str
    edges: tuple[Edge, ...]

    @property
    def certain(self) -> bool:
        """Is every edge of the route allowed for sure?"""
        return all(edge.certain for edge in self.edges)


@dataclass(frozen=True)
class Graph:
    """The nodes (callers, by key), the edges between them, and, for `to`, the routes into it."""

    nodes: tuple[Caller, ...]
    edges: tuple[Edge, ...]
    requests: int  # requests put to the evaluator (AssumeRole hops included)
    to: str | None = None  # `admin` or the principal ARN asked about
    routes: tuple[Route, ...] = ()
    admins: frozenset[str] = field(default_factory=frozenset)  # nodes that can give themselves any permission

    @property
    def undetermined(self) -> tuple[Edge, ...]:
        """The edges some request of which is `undetermined`."""
        return tuple(e for e in self.edges if not e.certain)


def graph(
    model: Model,
    *,
    to: str | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    progress: Progress | None = None,
) -> Graph:
    """The graph of `model`: every caller's edges; with `to` (`admin` or a principal), the routes into it.
    `workers` processes (None: this one; 0: every core) or the workers of the Dask cluster at `cluster`
    (`policysim.cluster`, the model shipped once to each) share the callers, with the same graph; not both."""
    check_spread(workers, cluster)
    target = resolve_to(model, to) if to is not None else None
    everyone = callers(harvest(model.world, model.tests), set(model.world.users), set(model.world.roles))
    batches = [everyone[i : i + BATCH] for i in range(0, len(everyone), BATCH)]
    results = (
        fork_map(partial(_edges, model), batches, workers)
        if cluster is None
        else cluster_map(model, _edges, batches, cluster)
    )
    edges: list[Edge] = []
    requests = done = 0
    for found, count in results:
        edges += found
        requests += count
        done += BATCH
        if progress is not None:
            progress(min(done, len(everyone)), len(everyone))
    empowered = sorted({e.source for e in edges if e.source == e.target and e.kind.family is Family.EMPOWER})
    checker = _Explorer(model)
    by_key = {caller.key: caller for caller in everyone}
    admins = frozenset(key for key in empowered if checker.can_lift_denies(by_key[key]))
    result = Graph(tuple(everyone), tuple(edges), requests + checker.requests, target, admins=admins)
    return replace(result, routes=paths_to(result, target)) if target is not None else result


def _edges(model: Model, batch: Sequence[Caller]) -> tuple[list[Edge], int]:
    """Every edge out of these callers, and the requests they took (module-level: it pickles by reference)."""
    explorer = _Explorer(model)
    found: list[Edge] = []
    for caller in batch:
        found += explorer.edges_of(caller)
    return found, explorer.requests


def resolve_to(model: Model, to: str) -> str:
    """`admin`, or the ARN of the user or role `to` names (a name or an ARN)."""
    if to == ADMIN or to in model.world.users or to in model.world.roles:
        return to
    named = model.world.names.get(to, ())
    if len(named) == 1:
        return named[0]
    known = ", ".join(sorted(model.world.names)[:10]) or "none"
    if named:
        raise RequestError(f"`{to}` names several principals", None, "give its ARN: " + ", ".join(named))
    raise RequestError(f"no user or role `{to}` in the model", None, f"give `admin`, a name or an ARN; names: {known}")


def paths_to(result: Graph, target: str) -> tuple[Route, ...]:
    """Each node's shortest route into `target` (breadth first, backwards over `become` edges), shortest first;
    routes over allowed edges only first, then for the nodes they do not reach, routes through undetermined ones.
    Into `admin`, a route ends with the edge by which its last node can give itself any permission."""
    routes: dict[str, Route] = {}
    for certain in (True, False):
        usable = [e for e in result.edges if e.certain or not certain]
        into: dict[str, list[Edge]] = {}
        for edge in usable:
            if edge.kind.family is Family.BECOME and edge.source != edge.target:
                into.setdefault(edge.target, []).append(edge)
        frontier = _starts(usable, target, result.admins)
        best = dict(frontier)
        while frontier:
            reached: dict[str, Route] = {}
            for node, route in sorted(frontier.items()):
                for edge in sorted(into.get(node, ()), key=lambda e: (e.source, e.kind.name)):
                    if edge.source not in best and edge.source not in reached:
                        reached[edge.source] = Route(edge.source, (edge, *route.edges))
            best.update(reached)
            frontier = reached
        for node, route in best.items():
            if route.edges:  # the target itself is no answer to "who can reach it"
                routes.setdefault(node, route)
    return tuple(sorted(routes.values(), key=lambda r: (len(r.edges), not r.certain, r.source)))


def _starts(edges: Sequence[Edge], target: str, admins: frozenset[str]) -> dict[str, Route]:
    if target != ADMIN:
        return {target: Route(target, ())}
    starts: dict[str, Route] = {}
    for edge in sorted(edges, key=lambda e: (e.source, not e.certain, e.kind.name)):
        own = edge.source == edge.target and edge.kind.family is Family.EMPOWER
        if own and edge.source in admins and edge.source not in starts:
            starts[edge.source] = Route(edge.source, (edge,))
    return starts


@dataclass
class _Explorer:
    """One process's exploration: the requests it made, and what no caller changes (services' trust answers)."""

    model: Model
    requests: int = 0
    _trusts: dict[tuple[str, str], Outcome] = field(default_factory=dict)

    def edges_of(self, caller: Caller) -> list[Edge]:
        """Every edge out of one caller."""
        actor = caller.actor(self.model.world)
        if actor is None:
            return []
        found = self._assume_edges(caller, actor)
        if caller.kind not in IAM_CALLERS:
            return found  # services and the anonymous caller make no IAM requests of their own
        for kind in KINDS:
            if kind is ASSUME_ROLE or not all(self._may(actor, step) for step in kind.steps):
                continue
            targets: Sequence[Target] = (
                tuple(self.model.world.users.values())
                if kind.target is TargetType.USER
                else tuple(self.model.world.roles.values())
            )
            service_steps: dict[int, EdgeRequest | None] = {}
            for target in targets:
                if target.arn == caller.key and kind.family is Family.BECOME:
                    continue  # a way to become oneself is no edge
                requests = self._try(caller, actor, kind, target, service_steps)
                if requests is not None:
                    found.append(Edge(caller.key, target.arn, kind, requests))
        return found

    def _assume_edges(self, caller: Caller, actor: Actor) -> list[Edge]:
        own = actor.principal.principal_arn if actor.is_session else None
        found: list[Edge] = []
        for role in sorted(self.model.world.roles.values(), key=lambda r: r.arn):
            if role.arn == own or not could_trust(role, actor):
                continue
            self.requests += 1
            hop = assume(self.model, actor, role, conditional=True)  # an ExternalId or MFA trust: a conditional edge
            if hop is not None:
                asked = EdgeRequest(caller.key, "sts:AssumeRole", role.arn, (), hop[0].outcome)
                found.append(Edge(caller.key, role.arn, ASSUME_ROLE, (asked,)))
        return found

    def can_lift_denies(self, caller: Caller) -> bool:
        """Can the caller remove every Deny of its own identity policies (so that giving itself a policy gives it
        any permission)? "An explicit deny in any of these policies overrides the allow" (UG:reference_policies_
        evaluation-logic): a policy it attaches to itself does not lift a Deny it holds. With no Deny (and no unknown
        policy) there is nothing to remove; else every removal must be allowed: deleting and detaching its own
        policies, and leaving each of its groups (a group's policies go with the group). SCPs are not lifted: admin
        is within its organization's SCPs (docs/queries.md)."""
        world = self.model.world
        actor = caller.actor(world)
        if actor is None:
            return False
        if not any(p.unknown is not None or any(s.effect is Effect.DENY for s in p.statements) for p in actor.identity):
            return True
        user = world.users.get(caller.key)
        if user is not None:
            needed = [("iam:DeleteUserPolicy", user.arn), ("iam:DetachUserPolicy", user.arn)]
            needed += [("iam:RemoveUserFromGroup", group) for group in user.groups]
        elif caller.key in world.roles:
            needed = [("iam:DeleteRolePolicy", caller.key), ("iam:DetachRolePolicy", caller.key)]
        else:
            return False
        for action, resource in needed:
            self.requests += 1
            if not self.model.answer(actor, action, resource, {}).allowed:
                return False
        return True

    def _may(self, actor: Actor, step: Step) -> bool:
        """Could the step be allowed for this caller (the prefilter; see the module)? Its action needs an Allow
        statement (or an unknown policy) among the caller's identity policies, unless a resource policy the model
        declares could be the step's."""
        if step.on in (On.TRUST, On.NEW_TRUST, On.BOUNDARY):
            return True  # not the caller's identity alone, or asked only for some targets
        action = step.action.lower()
        if any(
            p.unknown is not None or any(s.effect is Effect.ALLOW for s in p.for_action(action)) for p in actor.identity
        ):
            return True
        declared = self.model.world.resources
        if step.on is On.SERVICE:
            return _service_resource(step, actor) in declared
        return any(":iam::" in arn for arn in declared)

    def _try(
        self, caller: Caller, actor: Actor, kind: EdgeKind, target: Target, service_steps: dict[int, EdgeRequest | None]
    ) -> tuple[EdgeRequest, ...] | None:
        """The edge's requests, when each is allowed or undetermined (and might be allowed); else None."""
        done: list[EdgeRequest] = []
        for index, step in enumerate(kind.steps):
            if step.on is On.SERVICE:  # the same for every target: asked once per caller
                if index not in service_steps:
                    resource = _service_resource(step, actor)
                    service_steps[index] = self._ask(caller, actor, step.action, resource, ())
                asked = service_steps[index]
            elif step.on is On.TRUST:
                asked = self._trust(target, kind)
            elif step.on is On.NEW_TRUST:
                asked = self._new_trust(caller, actor, target)
            elif step.on is On.BOUNDARY and target.boundary is None:
                continue
            else:
                asked = self._on_target(caller, actor, kind, step, target)
            if asked is None:
                return None
            done.append(asked)
        return tuple(done)

    def _on_target(
        self, caller: Caller, actor: Actor, kind: EdgeKind, step: Step, target: Target
    ) -> EdgeRequest | None:
        context: Context = (("iam:passedtoservice", (kind.service,)),) if kind.service is not None else ()
        for resource in _choices(step, target):
            if not self._reachable(actor, resource):
                continue
            asked = self._ask(caller, actor, step.action, resource, context)
            if asked is not None:
                return asked
        return None

    def _reachable(self, actor: Actor, resource: str) -> bool:
        """Can a request of the caller on this IAM resource be allowed at all (the cross-account prefilter)?"""
        if resource in self.model.world.resources:
            return True
        parts = resource.split(":")
        return len(parts) < 5 or parts[4] == actor.principal.account

    def _ask(self, caller: Caller, actor: Actor, action: str, resource: str, context: Context) -> EdgeRequest | None:
        self.requests += 1
        outcome = self.model.answer(actor, action, resource, dict(context))
        if not _might_allow(outcome):
            return None
        return EdgeRequest(caller.key, action, resource, context, outcome.slim())

    def _trust(self, target: Target, kind: EdgeKind) -> EdgeRequest | None:
        """Does the role's trust policy let the passed-to service assume it (asked once per role and service)?

        The service assumes the role for a resource of the role's own account (a role is passed within its account),
        so the request carries that `aws:SourceAccount` ("the account ID of the resource making a service-to-service
        request", UG:reference_policies_condition-keys); a trust that also asks for an `aws:SourceArn` or another key
        the request cannot know is put to discovery, and the edge is conditional on it."""
        assert kind.service is not None
        key = (target.arn, kind.service)
        outcome = self._trusts.get(key)
        context: Context = (("aws:sourceaccount", (target.account,)),)
        if outcome is None:
            self.requests += 1
            service = Actor(Principal(PrincipalKind.SERVICE, kind.service))
            asked = self.model.answer(service, "sts:AssumeRole", target.arn, dict(context))
            if not _might_allow(asked) and asked.missing_keys:
                held = with_conditions(self.model, service, "sts:AssumeRole", target.arn, asked, dict(context))
                asked = held or asked
            outcome = self._trusts[key] = asked.slim()
        discovery = outcome.discovery
        if not _might_allow(outcome) and (discovery is None or discovery.status is not DiscoveryStatus.FOUND):
            return None
        return EdgeRequest(kind.service, "sts:AssumeRole", target.arn, context, outcome)

    def _new_trust(self, caller: Caller, actor: Actor, target: Target) -> EdgeRequest | None:
        """The AssumeRole the source makes after writing the role a trust policy that names it."""
        assert isinstance(target, RoleInfo)
        named = actor.principal.principal_arn
        if named is None or (actor.is_session and named == target.arn):
            return None
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": named}, "Action": "sts:AssumeRole"}],
        }
        doc = Document.from_data(trust, "<trust policy the source would write>")
        written = compile_policy(doc, f"{target.arn}#trust written by {named}", PolicyKind.TRUST)
        self.requests += 1
        outcome = assume_role(self.model.evaluator, actor, replace(target, trust=written), PARAMS, mint=False).outcome
        if not _might_allow(outcome):
            return None
        return EdgeRequest(caller.key, "sts:AssumeRole", target.arn, (), outcome.slim(), hypothetical=True)


def _might_allow(outcome: Outcome) -> bool:
    """Allowed, or undetermined and not denied whatever the unknowns hold."""
    return outcome.allowed or (outcome.decision is Decision.UNDETERMINED and not outcome.denied_anyway)


def _choices(step: Step, target: Target) -> list[str]:
    """The resources a step on the target may be made on (any one suffices)."""
    if step.on is On.GROUP:
        return groups_of(target) if isinstance(target, UserInfo) else []
    if step.on is On.POLICY:
        return managed_policies_of(target)
    return [target.arn]


def groups_of(user: UserInfo) -> list[str]:
    """The ARNs of the user's groups, whatever policies they hold."""
    return list(user.groups)


def managed_policies_of(target: Target) -> list[str]:
    """The customer managed policies attached to the target (its own, and a user's groups')."""
    found: list[str] = []
    for policy in target.identity:
        parts = policy.id.split(":", 5)
        customer = len(parts) == 6 and parts[2] == "iam" and is_account_id(parts[4])
        if customer and "#" not in policy.id and parts[5].startswith("policy/"):
            found.append(policy.id)
    return list(dict.fromkeys(found))


def _service_resource(step: Step, actor: Actor) -> str:
    principal = actor.principal
    return step.resource.format(
        partition=principal.partition or "aws", region=REGION, account=principal.account or "000000000000"
    )


def edge_kinds() -> Mapping[str, EdgeKind]:
    """The edge kinds by name."""
    return KIND_NAMES
