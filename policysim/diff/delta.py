"""What differs between the two models, as far as one request can read it: which requests a difference can reach.

A request's decision is a function of what the evaluator reads for it. On the caller's side: the principal, its
identity policies, boundary and session policies, its account and that account's SCPs. On the target's side: the
resource's owner, tags and resource policy (a role's trust policy for the trust actions), the declared entry of the
resource (a role's limits, an object's tags), and the owner account's RCPs and organization keys. Where all of that
is the same in both models, both answer every variant of the request alike.

Where the two sides differ only by statements that one has and the other lacks, a request can be answered
differently only if such a statement covers its action and its resource: the engine skips a statement whose Action
does not cover the action (`CompiledPolicy.for_action`) or whose Resource does not cover the resource, whatever its
principals and conditions say. So a `Reach` is the set of those differing statements, or `whole` when a difference
is not a statement (a caller or a resource on one side only, a tag, an account moved in the organization, a policy
whose document is unknown): then every request of that caller, or on that target, is put to both models.

The exploration (compare.py) puts to both models only the requests that a reach covers, and counts the others as
unreached. The comparisons are conservative: a difference they cannot read as statements is `whole`, and equality
is that of the compiled values (statements compiled from the same text are equal, wherever the text is).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass

from policysim.compiled import CompiledPolicy, CompiledStatement
from policysim.context import RequestContext
from policysim.enums import Effect
from policysim.errors import PolicysimError
from policysim.request import Principal
from policysim.world.actor import Actor
from policysim.world.resolve import request_target
from policysim.world.world import AccountInfo, World

StatementKey = tuple[object, ...]
#: fields of a StatementRef that only name or place a statement: a moved or renamed statement decides alike
_DISPLAY_ONLY = frozenset({"policy_id", "index", "sid", "location", "end"})
_NO_CONTEXT = RequestContext({})


@dataclass(frozen=True)
class Reach:
    """The requests a difference can reach: every one (`whole`), or those a differing statement covers."""

    whole: bool = False
    statements: tuple[CompiledStatement, ...] = ()

    def __bool__(self) -> bool:
        return self.whole or bool(self.statements)

    def __or__(self, other: Reach) -> Reach:
        if not other:
            return self
        if not self:
            return other
        if self.whole or other.whole:
            return WHOLE
        return Reach(False, self.statements + other.statements)

    def for_action(self, action_lower: str) -> Reach:
        """The part of the reach that covers an action (its statements whose Action / NotAction covers it)."""
        if self.whole or not self.statements:
            return self
        covering = tuple(s for s in self.statements if s.actions.matches(action_lower))
        return Reach(False, covering) if covering else NOWHERE

    def covers(self, resource: str) -> bool:
        """Could the reach (of one action) hold a request on `resource`? A Resource element with variables may cover
        any resource (its values come from the request), and a trust policy's statements have none."""
        return self.whole or any(_covers(s, resource) for s in self.statements)

    def on(self, resource: str) -> Reach:
        """The part of the reach (of one action) that covers `resource`."""
        if self.whole or not self.statements:
            return self
        covering = tuple(s for s in self.statements if _covers(s, resource))
        return Reach(False, covering) if covering else NOWHERE

    @property
    def everyone(self) -> bool:
        """Does the reach hold every caller's requests: is it whole, or does a statement name no principal (an
        identity policy's, a level's) or `"*"`?"""
        return self.whole or any(_everyone(s) for s in self.statements)

    def names(self, principal: Principal | None) -> bool:
        """Does a statement of the reach apply to this caller's requests (its Principal or NotPrincipal element
        names it, with or without a permissions boundary)? A statement that does not is skipped for them."""
        if principal is None or self.everyone:
            return True
        return any(
            s.names(principal, False) is not None or s.names(principal, True) is not None for s in self.statements
        )


def _covers(statement: CompiledStatement, resource: str) -> bool:
    element = statement.resources
    if element is None or any(p.has_variables for p in element.patterns):
        return True
    return element.matches(resource, _NO_CONTEXT)


def _everyone(statement: CompiledStatement) -> bool:
    named = statement.principals
    return named is None or (named.wildcard and not statement.principals_negated)


NOWHERE = Reach()
WHOLE = Reach(True)


class Differ:
    """Compares the parts of two worlds that requests read; statement keys are made once per policy."""

    def __init__(self, left: World, right: World) -> None:
        self.left = left
        self.right = right
        # a public grant makes an allowed request of an imported model `undetermined` whatever action the grant
        # names (services/s3.public_access_unknown reads the resource policy whole): any difference reaches it all
        self.whole_resource_policies = left.imported or right.imported
        # a request's VPC endpoint comes from its context, not from its caller or target: a differing endpoint
        # (its policy, VPC or service) reaches every caller
        self.endpoints_differ = _endpoints_differ(left, right)
        self._keys: dict[int, dict[StatementKey, CompiledStatement | None]] = {}
        # by the two accounts' ids, with the accounts kept so that an id is never another object's
        self._accounts: dict[tuple[int, int, str], tuple[AccountInfo, AccountInfo, Reach]] = {}
        self._targets: dict[tuple[str, str | None, str, bool], Reach] = {}
        self._allows: tuple[dict[tuple[str, str | None, str, bool], Reach], ...] = ({}, {})
        self._kept: list[CompiledPolicy] = []  # the policies keyed by id stay alive while the keys are used

    # -------------------------------------------------------------------------------------------- statements

    def policy_keys(self, policy: CompiledPolicy) -> dict[StatementKey, CompiledStatement | None]:
        """The policy's statements by what they say (not where they are written); an unknown document is one key
        that no known statement equals, mapped to None."""
        found = self._keys.get(id(policy))
        if found is None:
            found = {}
            if policy.unknown is not None:
                found[("unknown", policy.kind, policy.id, policy.unknown)] = None
            for statement in policy.statements:
                found[statement_key(statement)] = statement
            self._keys[id(policy)] = found
            self._kept.append(policy)
        return found

    def slot(
        self, left: Iterable[CompiledPolicy] | None, right: Iterable[CompiledPolicy] | None, whole_if_any: bool = False
    ) -> Reach:
        """The statements that one group of policies (identity, boundary, session, a level) has and the other
        lacks. A group present on one side only, or a differing unknown document, reaches everything."""
        if left is None or right is None:
            return NOWHERE if left is None and right is None else WHOLE
        mine: dict[StatementKey, CompiledStatement | None] = {}
        for policy in left:
            mine.update(self.policy_keys(policy))
        theirs: dict[StatementKey, CompiledStatement | None] = {}
        for policy in right:
            theirs.update(self.policy_keys(policy))
        if mine.keys() == theirs.keys():
            return NOWHERE
        if whole_if_any:
            return WHOLE
        differing: list[CompiledStatement] = []
        for key in mine.keys() ^ theirs.keys():
            statement = mine.get(key) or theirs.get(key)
            if statement is None:
                return WHOLE  # an unknown document on one side: its extremes allow and deny everything
            differing.append(statement)
        return Reach(False, tuple(differing))

    def levels(
        self,
        left: tuple[tuple[str, tuple[CompiledPolicy, ...]], ...],
        right: tuple[tuple[str, tuple[CompiledPolicy, ...]], ...],
    ) -> Reach:
        """SCP or RCP levels: the same levels in the same order, compared level by level."""
        if [name for name, _ in left] != [name for name, _ in right]:
            return WHOLE
        reach = NOWHERE
        for (_, mine), (_, theirs) in zip(left, right, strict=True):
            reach = reach | self.slot(mine, theirs)
            if reach.whole:
                break
        return reach

    # -------------------------------------------------------------------------------------------- callers

    def account(self, left: AccountInfo | None, right: AccountInfo | None, levels: str) -> Reach:
        """An account as the caller's (`scp_levels`) or as the resource owner's (`rcp_levels`)."""
        if left is None or right is None:
            return NOWHERE if left is None and right is None else WHOLE
        key = (id(left), id(right), levels)
        known = self._accounts.get(key)
        if known is not None and known[0] is left and known[1] is right:
            return known[2]
        if not same_fields(left, right, {"scp_levels", "rcp_levels"}):
            found = WHOLE
        else:
            found = self.levels(getattr(left, levels), getattr(right, levels))
        self._accounts[key] = (left, right, found)
        return found

    def actor(self, left: Actor | None, right: Actor | None) -> Reach:
        """What differs between a caller's two actors (a caller on one side only: `grants`)."""
        if left is None or right is None:
            return NOWHERE if left is None and right is None else WHOLE
        if self.endpoints_differ:
            return WHOLE
        if not same_fields(left, right, {"identity", "boundary", "session", "account"}):
            return WHOLE  # the principal (tags, ids), MFA, source identity, ...
        return (
            self.slot(left.identity, right.identity)
            | self.slot(_one(left.boundary), _one(right.boundary))
            | self.slot(left.session, right.session)
            | self.account(left.account, right.account, "scp_levels")
        )

    def grants(self, actor: Actor) -> Reach:
        """A caller that only one model has. Only an allowed (or undetermined) answer of that model is a change,
        and that needs an Allow statement to apply: one of its identity policies' (this reach), or one of the
        target's resource policy (`allows`). Boundaries, SCPs and RCPs only take access away."""
        if actor.root or actor.session is not None or self.endpoints_differ:
            return WHOLE
        statements: list[CompiledStatement] = []
        for policy in actor.identity:
            if policy.unknown is not None:
                return WHOLE
            statements += [s for s in policy.statements if s.effect is Effect.ALLOW]
        return Reach(False, tuple(statements))

    # -------------------------------------------------------------------------------------------- targets

    def allows(self, side: int, action: str, resource: str, trust: bool, actor: Actor) -> Reach:
        """The Allow statements of a target's resource policy (a role's trust policy for the trust actions) in one
        model (0: left, 1: right), for callers of the actor's account and partition; an unknown one reaches all."""
        principal = actor.principal
        key = (resource, principal.account, principal.partition, trust)
        memo = self._allows[side]
        found = memo.get(key)
        if found is None:
            try:
                target = request_target((self.left, self.right)[side], action, resource, None, actor, None)
            except PolicysimError:
                target = None
            policy = target.policy if target is not None else None
            if target is None or (policy is not None and policy.unknown is not None):
                found = WHOLE
            elif policy is None:
                found = NOWHERE
            else:
                found = Reach(False, tuple(s for s in policy.statements if s.effect is Effect.ALLOW))
            memo[key] = found
        return found

    def target(self, action: str, resource: str, trust: bool, left: Actor, right: Actor) -> Reach:
        """What differs between the two targets of a request on `resource`, for callers of the actors' account and
        partition (an undeclared resource belongs to the caller's account); `trust`: the action is a trust action,
        for which a role is governed by its trust policy. `action` is any action of that kind."""
        principal = left.principal
        key = (resource, principal.account, principal.partition, trust)
        found = self._targets.get(key)
        if found is None:
            found = self._target(action, resource, left, right)
            self._targets[key] = found
        return found

    def _target(self, action: str, resource: str, left: Actor, right: Actor) -> Reach:
        try:
            mine = request_target(self.left, action, resource, None, left, None)
            theirs = request_target(self.right, action, resource, None, right, None)
        except PolicysimError:
            return WHOLE  # the evaluator will say what is wrong, on each side
        if not same_fields(mine, theirs, {"policy"}):
            return WHOLE  # owner, tags, whether the resource policy must allow, why it is absent, ...
        reach = self.slot(_one(mine.policy), _one(theirs.policy), self.whole_resource_policies)
        owners = [w.account(t.account) if t.account else None for w, t in ((self.left, mine), (self.right, theirs))]
        reach = reach | self.account(owners[0], owners[1], "rcp_levels")
        for table in ("resources", "roles", "users"):  # declared entries: object tags, a role's limits, ...
            reach = reach | self._entry(getattr(self.left, table), getattr(self.right, table), resource)
        return reach

    def _entry(self, left: Mapping[str, object], right: Mapping[str, object], resource: str) -> Reach:
        mine, theirs = left.get(resource), right.get(resource)
        if mine is None or theirs is None:
            return NOWHERE if mine is None and theirs is None else WHOLE
        # their policies are read as the target's (above); a role's own permissions are its sessions' (a caller)
        return NOWHERE if same_fields(mine, theirs, {"policy", "trust", "identity", "boundary"}) else WHOLE


def _endpoints_differ(left: World, right: World) -> bool:
    """Do the two models declare different VPC endpoints, or an endpoint with a different policy, VPC or service?"""
    if left.vpc_endpoints.keys() != right.vpc_endpoints.keys():
        return True
    for endpoint_id, mine in left.vpc_endpoints.items():
        theirs = right.vpc_endpoints[endpoint_id]
        if (mine.vpc, mine.service) != (theirs.vpc, theirs.service):
            return True
        if mine.policy.unknown is not None or theirs.policy.unknown is not None:
            return True
        keys = [{statement_key(s) for s in side.policy.statements} for side in (mine, theirs)]
        if keys[0] != keys[1]:
            return True
    return False


def statement_key(statement: CompiledStatement) -> StatementKey:
    """What a statement says, apart from its name and place: every field of the compiled statement but `ref`, of
    which only the effect and policy kind count, with the condition's clauses (equal when compiled from the same
    operator, key and values)."""
    ref = statement.ref
    out: list[object] = [getattr(ref, f.name) for f in fields(ref) if f.name not in _DISPLAY_ONLY]
    for item in fields(statement):
        if item.name == "ref":
            continue
        value = getattr(statement, item.name)
        if item.name == "condition" and value is not None:
            value = value.clauses
        out.append(value)
    return tuple(out)


def same_fields(left: object, right: object, skip: set[str]) -> bool:
    """Two values of one dataclass type equal in every field but `skip` and their source locations."""
    if type(left) is not type(right) or not is_dataclass(left):
        return left == right
    return all(
        getattr(left, f.name) == getattr(right, f.name)
        for f in fields(left)
        if f.compare and f.name not in skip and f.name != "location"
    )


def _one(policy: CompiledPolicy | None) -> tuple[CompiledPolicy, ...] | None:
    return (policy,) if policy is not None else None
