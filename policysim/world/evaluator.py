"""One request of one actor against the world: the service rules and AWS's policy logic, in AWS's order.

`authorize` is the one place that combines them; every entry point reaches it through `Evaluator.evaluate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from itertools import repeat

from policysim.context import SOURCE_VPCE, DeferredContext, given_keys
from policysim.engine.decide import decide
from policysim.engine.outcome import Outcome
from policysim.engine.policies import PolicySet
from policysim.engine.reads import keys_read
from policysim.enums import Decision
from policysim.errors import Location
from policysim.request import Request
from policysim.services.rules import owned_resource_refusal, rules_quiet
from policysim.services.s3 import public_access_unknown
from policysim.services.sts import caller_refusal, undeniable
from policysim.world.actor import Actor
from policysim.world.assemble import (
    build_request,
    make_request,
    policy_set,
    request_endpoint,
    request_keys,
    resource_keys,
    with_endpoint,
)
from policysim.world.resolve import Target, trust_target
from policysim.world.unknowns import decide_with_unknowns
from policysim.world.world import RoleInfo, World

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def clock_values(moment: datetime) -> tuple[str, str]:
    """aws:CurrentTime (ISO 8601, UTC) and aws:EpochTime (seconds) for a moment."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), str(int(moment.timestamp()))


@dataclass(slots=True)
class Plan:
    """What one actor doing one action on one target needs before any request: see `Evaluator.plan`. Only the
    evaluator sets its last two fields, once."""

    actor: Actor
    action_lower: str
    target: Target
    derived: Mapping[str, tuple[str, ...]]
    policies: PolicySet
    unknown: bool  # does a policy of them have an unknown document?
    quiet: bool  # can no service rule answer (services/rules.py, `rules_quiet`)?
    reads: tuple[str, ...] | None = None  # the context keys its statements read (engine/reads.py)
    clock: tuple[str, ...] = ()  # which of aws:CurrentTime and aws:EpochTime they read


CLOCK_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})
GIVEN_CLOCK = ("", "")  # the clock of a request whose context gives both of its keys: never read
MEMO_SIZE = 65_536  # requests an evaluator remembers the outcomes of (then it forgets them all and starts again)
VARIANTS = 16  # requests remembered per decision: a request asked again among them gets its very outcome again
# a remembered request: its outcome, its extra keys and the clock's values it was decided at
Variant = tuple[Outcome, Mapping[str, tuple[str, ...] | None], tuple[str, str]]
_ABSENTS = repeat(object())  # for a key the given context does not hold (None is a key it removes)


@dataclass(frozen=True)
class Evaluator:
    """Evaluates requests in a world, with a clock the caller can fix."""

    world: World
    clock: Clock = utc_now
    # the last second `now` formatted, and its values: this evaluator's own (a clock is per evaluator)
    _last_second: dict[int, tuple[str, str]] = field(default_factory=dict, init=False, compare=False, repr=False)
    # a given clock's last moment and its values (a clock that returns one datetime object is read at no cost)
    _last_moment: list[tuple[datetime, tuple[str, str]]] = field(
        default_factory=list, init=False, compare=False, repr=False
    )
    _plans: dict[tuple[int, int, str], Plan] = field(default_factory=dict, init=False, compare=False, repr=False)
    _trust: dict[str, tuple[RoleInfo, Target]] = field(default_factory=dict, init=False, compare=False, repr=False)
    # decisions by plan and the values of the keys it reads: the plan is kept with each, as for `_plans`, and the
    # last few requests that read alike (their outcomes, with what each was made of), the latest first
    _memo: dict[tuple[object, ...], tuple[Plan, tuple[Variant, ...]]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _held: list[int] = field(default_factory=lambda: [0], init=False, compare=False, repr=False)  # requests in _memo
    _seen: set[tuple[object, ...]] = field(default_factory=set, init=False, compare=False, repr=False)

    def __getstate__(self) -> dict[str, object]:
        """Pickled (for a cluster's workers) without its memories: each process makes its own."""
        forgotten = {
            "_last_second": {},
            "_last_moment": [],
            "_plans": {},
            "_trust": {},
            "_memo": {},
            "_held": [0],
            "_seen": set(),
        }
        return {**self.__dict__, **forgotten}

    def now(self) -> tuple[str, str]:
        """The clock's current aws:CurrentTime and aws:EpochTime values (formatted once per second)."""
        if self.clock is utc_now:  # the system clock: its second without making a datetime
            second = int(time.time())
            cached = self._last_second.get(second)
            if cached is not None:
                return cached
            moment = datetime.fromtimestamp(second, UTC)
        else:
            moment = self.clock()
            last = self._last_moment
            if last:
                kept, values = last[0]  # one read of the pair another thread may replace
                if kept is moment:  # the very moment again (a datetime is immutable): its values again
                    return values
            second = int(moment.timestamp())
        cached = self._last_second.get(second)
        if cached is None:
            cached = clock_values(moment)
            self._last_second.clear()
            self._last_second[second] = cached
        if self.clock is not utc_now:
            self._last_moment[:] = [(moment, cached)]
        return cached

    def plan(self, actor: Actor, action: str, target: Target) -> Plan:
        """What evaluating `actor` doing `action` on `target` needs that no request changes: the keys the resource
        gives and the policies that govern it. Made once per actor, action and target (bounded); the actor and the
        target are kept with it, so an address in the key is never another object's."""
        key = (id(actor), id(target), action)
        plan = self._plans.get(key)
        if plan is None or plan.actor is not actor or plan.target is not target:
            derived = resource_keys(self.world, action, target)
            lowered = action.lower()
            policies = policy_set(self.world, actor, lowered, target)
            quiet = rules_quiet(actor.principal, lowered, target.arn)
            plan = Plan(actor, lowered, target, derived, policies, policies.has_unknowns(), quiet)
            if len(self._plans) >= 16_384:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    @staticmethod
    def _reads(plan: Plan) -> tuple[str, ...]:
        """The keys `plan`'s decisions read (found at its first request)."""
        if plan.reads is None:
            reads = keys_read(plan.policies, plan.action_lower)
            plan.reads, plan.clock = tuple(sorted(reads)), tuple(sorted(reads & CLOCK_KEYS))
        return plan.reads

    def trust_target(self, role: RoleInfo) -> Target:
        """`resolve.trust_target` of `role`, made once per role (so the plans of its trust actions are reused)."""
        known = self._trust.get(role.arn)
        if known is None or known[0] is not role:
            known = (role, trust_target(role))
            self._trust[role.arn] = known
        return known[1]

    def evaluate(
        self,
        actor: Actor,
        action: str,
        target: Target,
        extra: Mapping[str, tuple[str, ...] | None],
        where: Location | None = None,
        *,
        handed: bool = False,
        plan: Plan | None = None,
    ) -> Outcome:
        """The outcome of `actor` doing `action` on `target` with extra context keys (`where` locates the errors
        they cause: an `aws:SourceVpce` naming an endpoint the model does not declare); `extra`'s names are read
        case-insensitively, and it is copied (the outcome's request context is assembled from the copy when read),
        unless `handed`: a dict of lowercased names made for this call alone (`Scenario`'s own), kept as it is.
        `plan`: `self.plan(actor, action, target)`, where the caller kept it.

        A decision reads the context only through the keys its plan's statements read (engine/reads.py): a request
        that agrees with an earlier one of the plan on those keys (and on the clock, where they read it) gets that
        outcome with its own request, whose context is assembled only if it is read; the same request again (same
        context, same second) gets the same outcome. Decisions through a VPC endpoint's policy or over unknown
        policies are made each time."""
        if plan is None:
            plan = self.plan(actor, action, target)
        if not handed:  # by lowercased name, and the evaluator's own: what the request is assembled from
            extra = given_keys(extra) if extra else {}
        endpoint = request_endpoint(self.world, extra, where) if extra and SOURCE_VPCE in extra else None
        # the clock only where the context does not give both of its keys (a given key, or its removal, wins)
        now = self.now() if "aws:currenttime" not in extra or "aws:epochtime" not in extra else GIVEN_CLOCK
        key: tuple[object, ...] | None = None
        if endpoint is None and not plan.unknown:
            reads = plan.reads if plan.reads is not None else self._reads(plan)
            clock = now if plan.clock and any(k not in extra for k in plan.clock) else None  # unless given
            key = (id(plan), clock, *map(extra.get, reads, _ABSENTS))
            known = self._memo.get(key)
            if known is not None and known[0] is plan:
                variants = known[1]
                for outcome, made_of, at in variants:
                    if made_of == extra and at == now:  # the very request again: its outcome again
                        return outcome
                keys = partial(request_keys, self.world, actor, action, target, extra, now, plan.derived)
                context = DeferredContext(keys)
                request = make_request(
                    principal=actor.principal,
                    action=action,
                    resource=target.arn,
                    resource_account=target.account,
                    context=context,
                    resource_partition=target.partition,
                    action_lower=plan.action_lower,
                )
                outcome = variants[0][0].for_request(request)
                if len(variants) < VARIANTS and self._forgot_to_hold():
                    variants = ()
                self._memo[key] = (plan, ((outcome, extra, now), *variants[: VARIANTS - 1]))
                return outcome
        request = build_request(self.world, actor, action, target, extra, now, plan.derived, endpoint)
        if endpoint is None:
            outcome = authorize(request, plan.policies, plan.unknown, plan.quiet)
        else:  # the endpoint's policy is the request's own: the plan's policies with it
            policies = with_endpoint(plan.policies, endpoint, request.action_lower)
            outcome = authorize(request, policies, plan.unknown or policies.has_unknowns(), plan.quiet)
        if self.world.imported:
            outcome = public_access_unknown(outcome, request, target.account)
        if key is not None:
            self._remember(key, plan, outcome, extra, now)
        return outcome

    def _forgot_to_hold(self) -> bool:
        """Count one more request about to be remembered; when the memory is full, forget them all first (and say
        so: what the caller held of it is forgotten too)."""
        held = self._held
        forgot = held[0] >= MEMO_SIZE
        if forgot:
            self._memo.clear()
            held[0] = 0
        held[0] += 1
        return forgot

    def _remember(
        self,
        key: tuple[object, ...],
        plan: Plan,
        outcome: Outcome,
        extra: Mapping[str, tuple[str, ...] | None],
        now: tuple[str, str],
    ) -> None:
        """Keep `outcome` for the requests that read alike, once a request has read so twice: a key is cheap to
        keep, an outcome is not (its analysis is many objects the garbage collector walks), and most explorations
        (a diff, the queries) never ask alike twice."""
        if key not in self._seen:
            if len(self._seen) >= 2 * MEMO_SIZE:
                self._seen.clear()
            self._seen.add(key)
            return
        self._forgot_to_hold()
        self._memo[key] = (plan, ((outcome, extra, now),))  # with what its request was made of


def authorize(request: Request, policies: PolicySet, unknown: bool | None = None, quiet: bool = False) -> Outcome:
    """AWS's answer to `request` under `policies`; the outcome always records both. `unknown`: whether a policy of
    them is unknown, where a plan knows already; `quiet`: the plan knows no service rule can answer (steps 1, 2, 4).

    1. STS refuses callers that may not make the request at all (the root user assuming a role), before any
       policy is read; 2. authentication operations no policy controls are allowed; 3. AWS's policy logic, where
       "if the code finds even one explicit deny that applies, the code returns a final decision of Deny"
       (reference_policies_evaluation-logic.md); 4. only then a change to an AWS-owned resource is refused.
    """
    if not quiet:  # a rule that comes to read more than the caller, action and resource must change `rules_quiet`
        ruled = caller_refusal(request.principal, request.action_lower, request) or undeniable(request)
        if ruled is not None:
            return replace(ruled, policies=policies)
    # 5. policies the input could not tell: resolved both ways (world/unknowns.py); `unknown`: a plan knows already
    if policies.has_unknowns() if unknown is None else unknown:
        return decide_with_unknowns(policies, lambda known: _decided(request, known, quiet))
    return _decided(request, policies, quiet)


def _decided(request: Request, policies: PolicySet, quiet: bool = False) -> Outcome:
    """Steps 3 and 4 of `authorize`, for a set without unknown policies."""
    outcome = decide(request, policies)
    if outcome.decision is not Decision.EXPLICIT_DENY and not quiet:
        refused = owned_resource_refusal(request)
        if refused is not None:  # the policies were read: keep what they said
            return replace(refused, policies=policies, analysis=outcome.analysis, missing_keys=outcome.missing_keys)
    return outcome
