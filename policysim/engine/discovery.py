"""Discovery: for a request that is not allowed, the conditions on its missing context keys under which it would be
("allowed if `aws:SourceIp` is in `10.0.0.0/8` and `aws:MultiFactorAuthPresent` is `true`"). Off the hot path and
outside the core: it reads an outcome and asks the caller's evaluator again, through `reevaluate`.

1. The keys: every condition key of a statement that applies to the request but for its conditions (the matcher
   `scan` tells, through its sink), that the request lacks and can carry (`catalogue.fit.supplies`: a key a request
   never carries is never suggested). A statement whose other conditions fail never applies: it is left out.
2. The search: for each set P of the Allow statements that compare those keys (smallest first), the keys are given
   values from the conditions themselves (`engine/witness.py`) that make P's conditions hold and, branching over
   each Deny that would then apply, one of its conditions fail. The context found (the witness) is evaluated through
   `reevaluate`, the one evaluator: only an `allowed` answer makes an alternative.
3. Each alternative lists what the witness relies on: every condition on a given key of each Allow statement that
   applies, and for each Deny kept off by a given key, that condition negated. The other missing keys stay absent
   (`unset`). Because more applying Allows and fewer applying Denies never turn an allowed request into a denied one
   (a law, tests/properties/test_laws.py), any context meeting those requirements is allowed too, unless a policy
   variable reads the keys (`DiscoveryGap.VARIABLES`); a witness whose `aws:SourceVpce` chose a VPC endpoint brings
   that endpoint's policy in, so its claim is pinned to that endpoint (`_endpoint_claim`). Alternatives whose
   requirements another's include are dropped.
4. A set P whose witness, with no Deny applying, is still denied is refuted for every value (again by that law), and
   so is every smaller set; a set no candidate can satisfy is refuted only where the candidates are complete
   (`witness.candidates`). With no alternative, an exhaustive search says "denied whatever the missing keys hold";
   otherwise it says why it was not exhaustive (`DiscoveryGap`) and claims nothing.

Bounds (`DiscoveryLimits`): evaluations, alternatives, the Allow statements combined (2^n sets) and the branches of
the Deny search; past one, the result says the search was cut.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations

from policysim.catalogue.fit import supplies
from policysim.compiled import CompiledStatement
from policysim.conditions import Clause, ClauseResult, parse_operator
from policysim.context import SOURCE_VPC, SOURCE_VPCE, RequestContext
from policysim.engine.discovered import (
    Alternative,
    Discovery,
    DiscoveryGap,
    DiscoveryStatus,
    Requirement,
    witness_mapping,
)
from policysim.engine.outcome import Outcome
from policysim.engine.policies import PolicySet
from policysim.engine.scan import scan
from policysim.engine.witness import candidates
from policysim.enums import Decision, Effect, Gate
from policysim.errors import Location, PolicysimError
from policysim.request import Request

#: given values of missing keys (names as the policies write them) -> the outcome of the request with them
Reevaluate = Callable[[Mapping[str, tuple[str, ...]]], Outcome]
Values = tuple[str, ...] | None  # a key's values; None: absent
Constraint = tuple[Clause, bool]  # the clause must give this result


@dataclass(frozen=True, slots=True)
class DiscoveryLimits:
    """The bounds of one search (docs/api.md, "Discovery")."""

    evaluations: int = 256  # contexts evaluated through the evaluator
    alternatives: int = 8
    statements: int = 10  # Allow statements combined: at most 2^10 sets
    branches: int = 2048  # candidate assignments tried while keeping Denies off


DEFAULT_LIMITS = DiscoveryLimits()
_CHOSEN_BY_ENDPOINT = frozenset({SOURCE_VPCE, SOURCE_VPC})  # the keys the endpoint a request names fixes
_STRING_EQUALS = parse_operator("StringEquals", Location("<discovery>"))
_REFUSED = Outcome(Decision.IMPLICIT_DENY, (), ())  # what stands for a context `reevaluate` refused as input


@dataclass(frozen=True, slots=True)
class Relevant:
    """A statement that applies to the request but for conditions on missing keys: those conditions."""

    statement: CompiledStatement
    clauses: tuple[Clause, ...]

    def holds(self, ctx: RequestContext) -> bool:
        """Does the statement's whole condition hold in `ctx`?"""
        condition = self.statement.condition
        return condition is not None and condition.evaluate(ctx)


class _Applying:
    """The sink handed to `scan`: the statements whose action, resource and principal match, and any variable."""

    __slots__ = ("statements", "variables")

    def __init__(self) -> None:
        self.statements: list[CompiledStatement] = []
        self.variables = False

    def statement(
        self,
        statement: CompiledStatement,
        action: bool,
        resource: bool | None,
        principal: bool | None,
        conditions: tuple[ClauseResult, ...],
    ) -> None:
        if not action:
            return
        resources = statement.resources
        if resource is False and resources is not None and any(p.has_variables for p in resources.patterns):
            self.variables = True  # a Resource variable that found no value may find one in a key given
        condition = statement.condition
        if condition is not None and any(
            c.variables_enabled and any("${" in v for v in c.policy_values) for c in condition.clauses
        ):
            self.variables = True
        if resource is not False and principal is not False and condition is not None:
            self.statements.append(statement)


def relevant_statements(request: Request, policies: PolicySet) -> tuple[list[Relevant], bool]:
    """The statements that apply to `request` but for conditions on keys it lacks and can carry, and whether a
    statement of the action reads a policy variable."""
    sink = _Applying()
    bounded = policies.boundary is not None
    for policy in policies.every_policy():
        scan((policy,), request, set(), bounded, sink)
    ctx = request.context
    out: list[Relevant] = []
    for statement in sink.statements:
        assert statement.condition is not None  # the sink keeps only statements with conditions
        missing: list[Clause] = []
        fixed = True
        for clause in statement.condition.clauses:
            values = ctx.get(clause.key)
            if values is None and supplies(request.action, request.resource, clause.name):
                missing.append(clause)
            elif not clause.result(values, ctx):
                fixed = False  # a condition on a key the request gives (or can never carry) fails
        if missing and fixed:
            out.append(Relevant(statement, tuple(missing)))
    return out, sink.variables


def discover(outcome: Outcome, reevaluate: Reevaluate, limits: DiscoveryLimits = DEFAULT_LIMITS) -> Discovery:
    """The conditions on missing context keys under which `outcome`'s request would be allowed (module docstring)."""
    if outcome.allowed:
        return Discovery(DiscoveryStatus.ALLOWED)
    request, policies = outcome.request, outcome.policies
    if request is None or policies is None:  # a service rule answered without a request to search
        return Discovery(DiscoveryStatus.UNDECIDED)
    found, variables = relevant_statements(request, policies)
    search = _Search(outcome, request, reevaluate, limits, found)
    if variables:
        search.gaps.add(DiscoveryGap.VARIABLES)
    return search.run()


@dataclass
class _Search:
    outcome: Outcome
    request: Request
    reevaluate: Reevaluate
    limits: DiscoveryLimits
    relevant: list[Relevant]
    gaps: set[DiscoveryGap] = field(default_factory=set)
    evaluations: int = 0
    branches: int = 0
    names: dict[str, str] = field(default_factory=dict)  # lowercased key -> as the policies write it
    values: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    complete: dict[str, bool] = field(default_factory=dict)
    closest: Outcome | None = None  # the last refuted witness's outcome

    def __post_init__(self) -> None:
        by_key: dict[str, list[Clause]] = {}
        for item in self.relevant:
            for clause in item.clauses:
                by_key.setdefault(clause.key, []).append(clause)
                self.names.setdefault(clause.key, clause.name)
        for key, clauses in by_key.items():
            self.values[key], self.complete[key] = candidates(clauses)
        self.allows = [r for r in self.relevant if r.statement.effect is Effect.ALLOW]
        self.denies = [r for r in self.relevant if r.statement.effect is Effect.DENY]

    def run(self) -> Discovery:
        allows = self.allows
        if len(allows) > self.limits.statements:
            self.gaps.add(DiscoveryGap.STATEMENTS)
            allows = allows[: self.limits.statements]
        found: list[tuple[frozenset[int], Alternative]] = []
        pruned: list[frozenset[int]] = []  # sets refuted for every value: their supersets are not tried
        done = False
        for size in range(len(allows) + 1):
            for chosen in combinations(range(len(allows)), size):
                picked = frozenset(chosen)
                if any(p <= picked for p in pruned) or any(f <= picked for f, _ in found):
                    continue
                constraints = [(c, True) for i in chosen for c in allows[i].clauses]
                assignment, exact = self._solve(constraints)
                if assignment is None:
                    if not exact:
                        self.gaps.add(DiscoveryGap.VALUES)
                    pruned.append(picked)
                    continue
                answer = self._evaluate(assignment)
                if answer is None:
                    done = True
                    break
                alternative = self._alternative(constraints, assignment, answer) if answer.allowed else None
                if alternative is not None:
                    found.append((picked, alternative))
                    if len(found) >= self.limits.alternatives:
                        self.gaps.add(DiscoveryGap.ALTERNATIVES)
                        done = True
                        break
                elif not answer.allowed:
                    self._refuted(answer)
            if done:
                break
        return self._result([alternative for _, alternative in found])

    # ---------------------------------------------------------------- assignments

    def _assign(self, constraints: Sequence[Constraint]) -> tuple[dict[str, Values] | None, bool]:
        """A value for every constrained key (absent where absence meets its constraints), or None and whether
        that is exact (the key's candidates are complete)."""
        by_key: dict[str, list[Constraint]] = {}
        for clause, want in constraints:
            by_key.setdefault(clause.key, []).append((clause, want))
        ctx = self.request.context
        out: dict[str, Values] = {}
        for key, wanted in by_key.items():
            if all(clause.on_missing == want for clause, want in wanted):
                out[key] = None
                continue
            chosen = next(
                (v for v in self.values[key] if all(clause.run(v, ctx) == want for clause, want in wanted)), None
            )
            if chosen is None:
                return None, self.complete[key]
            out[key] = chosen
        return out, True

    def _context(self, assignment: Mapping[str, Values]) -> RequestContext:
        return self.request.context.with_values(assignment)

    def _solve(self, constraints: list[Constraint]) -> tuple[dict[str, Values] | None, bool]:
        """An assignment meeting `constraints` under which no Deny that compares the keys applies: each Deny that
        would apply gets one of its conditions negated, each in turn. None, and whether that is exact, when none."""
        self.branches += 1
        if self.branches > self.limits.branches:
            self.gaps.add(DiscoveryGap.EVALUATIONS)
            return None, True
        assignment, exact = self._assign(constraints)
        if assignment is None:
            return None, exact
        ctx = self._context(assignment)
        applying = next((d for d in self.denies if d.holds(ctx)), None)
        if applying is None:
            return assignment, True
        all_exact = True
        for clause in applying.clauses:
            found, exact = self._solve([*constraints, (clause, False)])
            if found is not None:
                return found, True
            all_exact = all_exact and exact
        return None, all_exact

    # ---------------------------------------------------------------- evaluation

    def _evaluate(self, assignment: Mapping[str, Values]) -> Outcome | None:
        """The request evaluated with the assignment's given keys, or None past the cap on evaluations."""
        if self.evaluations >= self.limits.evaluations:
            self.gaps.add(DiscoveryGap.EVALUATIONS)
            return None
        self.evaluations += 1
        given = {self.names[key]: values for key, values in assignment.items() if values is not None}
        try:
            return self.reevaluate(given)
        except PolicysimError:  # e.g. an `aws:SourceVpce` naming no endpoint of the model: that context is no answer
            self.gaps.add(DiscoveryGap.REFUSED)
            return _REFUSED

    def _refuted(self, answer: Outcome) -> None:
        """A witness that was not allowed: it refutes its set only when it answers the same question."""
        if answer is _REFUSED:
            return
        if answer.decision is Decision.UNDETERMINED:
            self.gaps.add(DiscoveryGap.UNDETERMINED)
            return
        original, request = self.outcome, answer.request
        same = (
            answer.hop == original.hop
            and request is not None
            and request.action == self.request.action
            and request.resource == self.request.resource
            and request.principal.arn == self.request.principal.arn
            and (answer.policies is original.policies or answer.policies == original.policies)
        )
        if not same:
            self.gaps.add(DiscoveryGap.LATER_HOP)
            return
        self.closest = answer

    # ---------------------------------------------------------------- alternatives

    def _alternative(
        self, constraints: list[Constraint], assignment: dict[str, Values], answer: Outcome
    ) -> Alternative | None:
        """What an allowed witness (`answer`) relies on, after trying to keep the Allows it did not aim at from
        applying (so that their conditions are not required); a narrower witness replaces it only if it is allowed
        too. None when the witness chose a VPC endpoint whose policy reads other missing keys (`_endpoint_claim`)."""
        chosen = {id(c) for c, _ in constraints}
        for allow in self.allows:
            if not allow.holds(self._context(assignment)) or all(id(c) in chosen for c in allow.clauses):
                continue
            for clause in allow.clauses:
                if assignment.get(clause.key) is None:
                    continue
                narrower, _ = self._solve([*constraints, (clause, False)])
                if narrower is None or not _given(narrower) <= _given(assignment):
                    continue
                again = self._evaluate(narrower)
                if again is not None and again.allowed:
                    constraints = [*constraints, (clause, False)]
                    assignment, answer = narrower, again
                    break
        pinned = self._endpoint_claim(answer)
        if pinned is False:
            self.gaps.add(DiscoveryGap.ENDPOINT)
            return None
        alternative = self._requirements(assignment)
        if pinned is True:
            return alternative
        return replace(alternative, requirements=(*alternative.requirements, pinned))

    def _endpoint_claim(self, answer: Outcome) -> Requirement | bool:
        """What a witness whose `aws:SourceVpce` chose a VPC endpoint must add to its claim.

        `aws:SourceVpce` is more than a condition's operand: it names the endpoint whose policy the request is also
        evaluated against ("An endpoint policy is a resource-based policy that you attach to a VPC endpoint to control
        which AWS principals can use the endpoint to access an AWS service", Amazon VPC, Control access to VPC
        endpoints using endpoint policies), and its VPC gives `aws:SourceVpc`. Another endpoint meeting the same
        conditions has another policy, so the claim is pinned to the witness's endpoint (the Requirement returned,
        from the endpoint policy's allowing statement); an endpoint policy that compares other missing keys was not
        searched, so nothing is claimed (False). True: the witness chose no endpoint the request did not have.
        """
        chosen = answer.policies.endpoint if answer.policies is not None else None
        before = self.outcome.policies.endpoint if self.outcome.policies is not None else None
        if chosen is None or chosen is before or answer.request is None:
            return True
        ids = {id(s) for s in chosen.statements}
        assert answer.policies is not None  # it holds `chosen`
        found, variables = relevant_statements(self.request, answer.policies)
        endpoint_keys = {c.key for r in found if id(r.statement) in ids for c in r.clauses}
        if variables or endpoint_keys - _CHOSEN_BY_ENDPOINT:
            return False
        vpce = answer.request.context.get(SOURCE_VPCE)
        allowing = next((r.statement for r in answer.reasons if r.gate is Gate.VPC_ENDPOINT and r.statement), None)
        if not vpce or allowing is None:
            return False
        return Requirement(self.names.get(SOURCE_VPCE, "aws:SourceVpce"), _STRING_EQUALS, vpce, allowing)

    def _requirements(self, assignment: dict[str, Values]) -> Alternative:
        ctx = self._context(assignment)
        given = _given(assignment)
        out: list[Requirement] = []
        for allow in self.allows:
            if allow.holds(ctx):
                ref = allow.statement.ref
                out += [
                    Requirement(c.name, c.spec, c.policy_values, ref, True) for c in allow.clauses if c.key in given
                ]
        for deny in self.denies:
            failing = [c for c in deny.clauses if not c.result(ctx.get(c.key), ctx)]
            if not failing or any(c.key not in given for c in failing):
                continue  # kept off by a key left absent
            c = failing[0]
            out.append(Requirement(c.name, c.spec, c.policy_values, deny.statement.ref, False))
        out.sort(key=lambda r: (r.key.lower(), r.statement.kind.value, r.statement.policy_id, r.statement.index))
        witness = {self.names[key]: values for key, values in assignment.items() if values is not None}
        unset = tuple(sorted(self.names[key] for key in self.names if key not in given))
        return Alternative(tuple(dict.fromkeys(out)), witness_mapping(witness), unset)

    def _result(self, found: list[Alternative]) -> Discovery:
        keys = tuple(sorted(self.names.values(), key=str.lower))
        gaps = tuple(sorted(self.gaps))
        kept = _minimal(found)
        if kept:
            return Discovery(DiscoveryStatus.FOUND, keys, tuple(kept), gaps, evaluations=self.evaluations)
        if gaps:
            return Discovery(DiscoveryStatus.UNDECIDED, keys, (), gaps, evaluations=self.evaluations)
        closest = self.closest or self.outcome
        relevant = {id(r.statement.ref) for r in self.relevant}
        analysis = self.outcome.analysis
        fixed = tuple(d for d in (analysis.denies() if analysis else ()) if id(d) not in relevant)
        refused = () if fixed else closest.gates
        return Discovery(DiscoveryStatus.NONE, keys, (), (), refused, fixed, self.evaluations)


def _given(assignment: Mapping[str, Values]) -> set[str]:
    return {key for key, values in assignment.items() if values is not None}


def _minimal(found: list[Alternative]) -> list[Alternative]:
    """The alternatives no other one is implied by (the same keys given, fewer requirements), fewest first."""

    def keys(a: Alternative) -> frozenset[str]:
        return frozenset(k.lower() for k, _ in a.witness)

    def reqs(a: Alternative) -> frozenset[Requirement]:
        return frozenset(a.requirements)

    kept: list[Alternative] = []
    for alternative in sorted(found, key=lambda a: (len(a.requirements), len(a.witness))):
        if any(keys(k) == keys(alternative) and reqs(k) <= reqs(alternative) for k in kept):
            continue
        kept.append(alternative)
    return kept
