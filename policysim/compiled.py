"""Compiled policies: frozen, pre-parsed, ready to answer "does this statement apply?" without parsing."""

from __future__ import annotations

from dataclasses import dataclass, field

from policysim.conditions import CompiledCondition
from policysim.context import RequestContext
from policysim.enums import DiagnosticCode, Effect, PolicyKind
from policysim.errors import Location
from policysim.ir.pattern import Glob, PatternMatcher
from policysim.ir.principal import PrincipalMatch, PrincipalSet, not_principal_applies
from policysim.ir.template import parse_template
from policysim.request import Principal


@dataclass(frozen=True, slots=True)
class StatementRef:
    """Which statement of which policy: the data a reason points at."""

    policy_id: str
    kind: PolicyKind
    index: int
    sid: str | None
    effect: Effect
    location: Location | None = None
    end: tuple[int, int] | None = None  # end line and column, where known

    @property
    def label(self) -> str:
        """`Sid` when the statement has one, else its position `#1` (1-based)."""
        return self.sid if self.sid else f"#{self.index + 1}"

    def __str__(self) -> str:
        return f"{self.kind.value} policy `{self.policy_id}` statement `{self.label}` ({self.effect.value})"


@dataclass(frozen=True, slots=True)
class ActionMatcher:
    """Action or NotAction: case-insensitive patterns, literal names in a set."""

    negated: bool
    literals: frozenset[str]  # lowercased
    globs: tuple[Glob, ...]
    everything: bool

    def matches(self, action_lower: str) -> bool:
        """Does the element cover the (lowercased) action?"""
        hit = self.everything or action_lower in self.literals or any(g.matches(action_lower) for g in self.globs)
        return hit != self.negated


@dataclass(frozen=True, slots=True)
class ResourceMatcher:
    """Resource or NotResource: case-sensitive patterns; variables resolved per request.

    Without variables the answer depends on the resource alone, so it is memoised per resource ARN (bounded).
    """

    negated: bool
    literals: frozenset[str]
    patterns: tuple[PatternMatcher, ...]
    everything: bool
    _memo: dict[str, bool] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.patterns and not any(p.has_variables for p in self.patterns):
            object.__setattr__(self, "_memo", {})  # literal-only elements need no memo

    def matches(self, resource: str, ctx: RequestContext) -> bool:
        """Does the element cover the resource ARN?"""
        memo = self._memo
        if memo is not None:
            known = memo.get(resource)
            if known is not None:
                return known
        hit = self.everything or resource in self.literals
        if not hit:
            for pattern in self.patterns:
                if pattern.matches_in(resource, ctx):
                    hit = True
                    break
        answer = hit != self.negated
        if memo is not None and len(memo) < 4096:
            memo[resource] = answer
        return answer


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    """One statement; `resources` is None where the policy kind has no Resource (trust policies)."""

    ref: StatementRef
    effect: Effect
    actions: ActionMatcher
    resources: ResourceMatcher | None
    principals: PrincipalSet | None
    principals_negated: bool
    condition: CompiledCondition | None
    # the (lowercased) context keys it reads: its Condition keys and the keys of the variables in its Resource and
    # Condition values (what a plan's memory of decisions is keyed by: engine/reads.py); found once, when made
    reads: frozenset[str] = field(default=frozenset(), init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reads", _keys_read(self.resources, self.condition))

    def names(self, principal: Principal, bounded: bool) -> PrincipalMatch | None:
        """How the Principal / NotPrincipal element names the caller, or None when the statement skips it.

        A NotPrincipal statement (always a Deny) applies to everyone it does not spare, as `"*"` would.
        `bounded`: the caller has a permissions boundary. Call only when `principals` is set.
        """
        assert self.principals is not None
        if self.principals_negated:
            return PrincipalMatch.WILDCARD if not_principal_applies(self.principals, principal, bounded) else None
        return self.principals.match(principal)


def _keys_read(resources: ResourceMatcher | None, condition: CompiledCondition | None) -> frozenset[str]:
    keys: set[str] = set()
    texts = [p.text for p in resources.patterns if p.has_variables] if resources is not None else []
    for clause in condition.clauses if condition is not None else ():
        keys.add(clause.key)
        if clause.variables_enabled:
            texts += [value for value in clause.policy_values if "${" in value]
    for text in texts:
        keys.update(variable.key for variable in parse_template(text, variables_enabled=True).variables)
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A finding about a policy that is not an error (e.g. a variable that stays literal under 2008-10-17).

    A code, not prose: its words are in `engine/words.py`, with `facts` filled in.
    """

    code: DiagnosticCode
    location: Location | None = None
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Unknown:
    """A value the input could not tell (imports: "known after apply", a missing document): why, and where."""

    reason: str
    source: str


@dataclass(frozen=True)
class CompiledPolicy:
    """A compiled policy document. `for_action` memoises which statements name an action."""

    id: str
    kind: PolicyKind
    statements: tuple[CompiledStatement, ...]
    version: str | None
    diagnostics: tuple[Diagnostic, ...] = ()
    source_text: str | None = None
    unknown: Unknown | None = None  # set when the document is unknown: the policy has no statements
    _by_action: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict, compare=False, repr=False)

    def for_action(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action / NotAction covers the action (computed once per action name)."""
        found = self._by_action.get(action_lower)
        if found is None:
            found = tuple(s for s in self.statements if s.actions.matches(action_lower))
            if len(self._by_action) < 4096:
                self._by_action[action_lower] = found
        return found
