"""The result of an evaluation, as data: the decision, the deciding gates and statements, missing keys."""

from __future__ import annotations

from dataclasses import dataclass, replace

from policysim.compiled import Diagnostic, StatementRef
from policysim.engine.policies import PolicySet
from policysim.enums import Decision, Gate
from policysim.request import Request


@dataclass(frozen=True, slots=True)
class Reason:
    """One gate's contribution: what it decided, in words and, where a statement decided it, that statement."""

    gate: Gate
    decision: Decision
    message: str
    statement: StatementRef | None = None
    hop: int | None = None  # for role chains: which hop (0 = the first AssumeRole)
    code: str | None = None  # the service's error name for a refused request (`ValidationError`, ...)

    def __str__(self) -> str:
        where = f" [{self.statement}]" if self.statement else ""
        hop = f"hop {self.hop + 1}: " if self.hop is not None else ""
        return f"{hop}{self.gate.value}: {self.message}{where}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What AWS would answer, and why."""

    decision: Decision
    gates: tuple[Gate, ...]
    reasons: tuple[Reason, ...]
    request: Request | None = None
    missing_keys: tuple[str, ...] = ()
    matched: tuple[StatementRef, ...] = ()  # every statement that applied, allow or deny
    diagnostics: tuple[Diagnostic, ...] = ()
    hop: int | None = None  # set when a role-chain hop refused: the index of that hop
    policies: PolicySet | None = None  # what was evaluated, for tracing

    @property
    def allowed(self) -> bool:
        """True exactly when the decision is `allowed`."""
        return self.decision is Decision.ALLOWED

    def explain(self) -> Explanation:
        """A readable explanation; `str()` it."""
        return Explanation(self)

    def with_hop(self, hop: int) -> Outcome:
        """The same outcome, attributed to a role-chain hop."""
        reasons = tuple(replace(r, hop=hop if r.hop is None else r.hop) for r in self.reasons)
        return Outcome(
            self.decision,
            self.gates,
            reasons,
            self.request,
            self.missing_keys,
            self.matched,
            self.diagnostics,
            hop,
        )


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
        out.extend(f"  note: {d.message} ({d.location})" for d in o.diagnostics)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())
