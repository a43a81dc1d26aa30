"""The result of an evaluation, as data: the decision, the deciding gates and statements, missing keys, and the
per-kind analysis it was decided from. Reasons carry codes; their words are in `engine/words.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from policysim.compiled import Diagnostic, StatementRef, Unknown
from policysim.engine import words
from policysim.engine.analysis import Analysis
from policysim.engine.discovered import Discovery
from policysim.engine.policies import PolicySet
from policysim.enums import Decision, Gate, ReasonCode
from policysim.records import fast_init, slot_copier
from policysim.request import Request


@fast_init
@dataclass(frozen=True, slots=True)
class Reason:
    """One gate's contribution: what it decided and why (a code, and the facts its words name) and, where a
    statement decided it, that statement."""

    gate: Gate
    decision: Decision
    code: ReasonCode
    statement: StatementRef | None = None
    hop: int | None = None  # for role chains: which hop (0 = the first AssumeRole)
    facts: words.Facts = ()  # what the code's words name, e.g. `(("target", "the organization root"),)`

    @property
    def aws_error(self) -> str | None:
        """The service's error name for a refused request (`ValidationError`, ...), or None."""
        return words.aws_error(self.code)

    @property
    def detail(self) -> str:
        """The code's words, with the facts filled in."""
        return words.text(self.code, self.facts)

    @property
    def message(self) -> str:
        """The reason in words, led by the service's error name where there is one."""
        error = words.aws_error(self.code)
        return f"{error}: {self.detail}" if error else self.detail

    def __str__(self) -> str:
        where = f" [{self.statement}]" if self.statement else ""
        hop = f"hop {self.hop + 1}: " if self.hop is not None else ""
        return f"{hop}{self.gate.value}: {self.message}{where}"


@fast_init
@dataclass(frozen=True, slots=True)
class Outcome:
    """What AWS would answer, and why."""

    decision: Decision
    gates: tuple[Gate, ...]
    reasons: tuple[Reason, ...]
    request: Request | None = None
    missing_keys: tuple[str, ...] = ()
    hop: int | None = None  # set when a role-chain hop refused: the index of that hop
    policies: PolicySet | None = None  # what the request was evaluated with, for tracing
    # what each policy kind said (None when a service rule answered before any policy was read)
    analysis: Analysis | None = field(default=None, compare=False)
    unknowns: tuple[Unknown, ...] = ()  # for `undetermined`: the unknown values that could change the decision
    # for `undetermined`: the decisions of the most permissive and the most restrictive reading of the unknowns
    bounds: tuple[Decision, Decision] | None = None
    # with `discover=True`: the conditions on missing keys under which it would be allowed (engine/discovery.py)
    discovery: Discovery | None = field(default=None, compare=False)

    @property
    def denied_anyway(self) -> bool:
        """Is the request denied whatever the unknowns hold (an `undetermined` deny of unknown kind, or a deny)?"""
        if self.bounds is not None:
            return Decision.ALLOWED not in self.bounds
        return self.decision in (Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY)

    @property
    def allowed(self) -> bool:
        """True exactly when the decision is `allowed`."""
        return self.decision is Decision.ALLOWED

    @property
    def statements(self) -> tuple[StatementRef, ...]:
        """The statements its reasons name (the deciding ones), in order, without repeats."""
        return tuple(dict.fromkeys(r.statement for r in self.reasons if r.statement is not None))

    @property
    def matched(self) -> tuple[StatementRef, ...]:
        """Every statement that applied, allow or deny."""
        return self.analysis.matched() if self.analysis is not None else ()

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """The compile diagnostics of the policies evaluated for this outcome, each once."""
        if self.policies is None or self.analysis is None:
            return ()
        found = [d for policy in self.policies.every_policy() for d in policy.diagnostics]
        return tuple(dict.fromkeys(found))

    def explain(self) -> Explanation:
        """A readable explanation; `str()` it."""
        return Explanation(self)

    def slim(self) -> Outcome:
        """The outcome without the request, policy set and analysis it was made from: the decision and its reasons,
        small enough to keep many or send between processes."""
        return replace(self, request=None, policies=None, analysis=None)

    def for_request(self, request: Request | None) -> Outcome:
        """The same outcome for another request that reads alike (`replace(self, request=request)`, made without
        `replace`'s per-field keyword round trip: the evaluator's memory answers with it on the hot path)."""
        return _with_request(self, request)

    def with_hop(self, hop: int) -> Outcome:
        """The same outcome (request, policies and analysis included), attributed to a role-chain hop."""
        reasons = tuple(replace(r, hop=hop if r.hop is None else r.hop) for r in self.reasons)
        return replace(self, reasons=reasons, hop=hop)


_with_request = slot_copier(Outcome, "request")
GatesAndReasons = tuple[tuple[Gate, ...], tuple[Reason, ...]]


class Later(tuple[Any, ...]):
    """What an outcome's `gates` and `reasons` hold until first read, when the decision was made without them:
    `make(outcome)` gives both, from what the outcome holds (engine/decide.py: the decision phase apart from the
    explanation phase). Empty, so it is a tuple wherever one is expected."""

    make: Callable[[Outcome], GatesAndReasons]

    def __new__(cls, make: Callable[[Outcome], GatesAndReasons]) -> Later:
        later = super().__new__(cls)
        later.make = make
        return later


class _Explained:
    """The `gates` or `reasons` field of `Outcome`, over its slot: a `Later` in the slot is replaced, on first read,
    by both fields' values (so every reader, `==`, `repr`, `replace`, pickling, sees them made)."""

    def __init__(self, slot: Any, first: bool) -> None:
        self.slot = slot
        self.first = first  # `gates` (else `reasons`)

    def __get__(self, outcome: Outcome | None, owner: type | None = None) -> Any:
        if outcome is None:
            return self
        value = self.slot.__get__(outcome, owner)
        if type(value) is Later:
            gates, reasons = value.make(outcome)
            _GATES.__set__(outcome, gates)
            _REASONS.__set__(outcome, reasons)
            value = gates if self.first else reasons
        return value

    def __set__(self, outcome: Outcome, value: Any) -> None:
        self.slot.__set__(outcome, value)


_GATES, _REASONS = vars(Outcome)["gates"], vars(Outcome)["reasons"]  # the slots themselves
setattr(Outcome, "gates", _Explained(_GATES, first=True))  # noqa: B010 - a descriptor over the slot
setattr(Outcome, "reasons", _Explained(_REASONS, first=False))  # noqa: B010


@dataclass(frozen=True, slots=True)
class Explanation:
    """The reasoning behind an outcome, rendered on demand."""

    outcome: Outcome

    def lines(self) -> list[str]:
        """The explanation as lines of text."""
        o = self.outcome
        out: list[str] = []
        if o.request is not None:
            r = o.request
            out.append(f"request: {r.principal} -> {r.action} on {r.resource}")
        gates = ", ".join(g.value for g in o.gates) or "-"
        out.append(f"decision: {o.decision.value} (gate: {gates})")
        out.extend(f"  - {reason}" for reason in o.reasons)
        if o.missing_keys:
            out.append("missing context keys: " + ", ".join(o.missing_keys))
        out.extend(f"  note: {words.text(d.code, d.facts)} ({d.location})" for d in o.diagnostics)
        if o.discovery is not None:
            out.extend(o.discovery.lines())
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())
