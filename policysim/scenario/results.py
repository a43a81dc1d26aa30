"""The results of a scenario's tests, as data: what reporters, the pytest plugin and callers read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from policysim.compiled import StatementRef
from policysim.engine.outcome import Outcome
from policysim.enums import Decision, Gate
from policysim.errors import Location
from policysim.model.wire_types import Expectation
from policysim.world.key_notes import KeyNote

if TYPE_CHECKING:
    from policysim.queries.patterns import PatternAnswer

MATCHES: dict[str, frozenset[Decision]] = {
    "allowed": frozenset({Decision.ALLOWED}),
    "denied": frozenset({Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY}),
    "explicitDeny": frozenset({Decision.EXPLICIT_DENY}),
    "implicitDeny": frozenset({Decision.IMPLICIT_DENY}),
    "undetermined": frozenset({Decision.UNDETERMINED}),  # the model's unknowns decide (contracts.md section 6)
}


def statement_names(ref: StatementRef) -> tuple[str, str]:
    """The two ways `expect_statement` names a statement: its label (Sid, or `#N` without one) and
    `POLICY_ID#LABEL` (scenario-format.md, Expectations)."""
    return ref.label, f"{ref.policy_id}#{ref.label}"


@dataclass(frozen=True)
class LeftOut:
    """An action x resource pair of a test that was not evaluated: the resource is not of a type the action acts on."""

    action: str
    resource: str
    reason: str


@dataclass(frozen=True)
class TestResult:
    """One evaluated expectation: the decision, and where the test asks for them, the deciding gate and statement."""

    __test__ = False  # not a pytest test class

    file: str
    scenario: str
    name: str
    principal: str
    action: str
    resource: str
    expected: Expectation
    outcome: Outcome
    location: Location | None
    skip_reason: str | None = None  # set when a configured suppression matched the test (see docs/configuration.md)
    test_name: str = ""  # the test's own name, when `name` is one `NAME [ACTION on RESOURCE]` result of it
    expected_gate: Gate | None = None  # `expect_gate`: a gate that must be among the outcome's deciding gates
    expected_statement: str | None = None  # `expect_statement`: a statement the reasons must name
    left_out: tuple[LeftOut, ...] = ()  # pairs of the test's action x resource lists that do not fit (first result)
    key_notes: tuple[KeyNote, ...] = ()  # conditions on keys the request can never carry (world/key_notes.py)
    # a test of `resource: {pattern: ...}`: the answer over its examples; `outcome` is its deciding example's
    pattern: PatternAnswer | None = None

    @property
    def decision(self) -> Decision:
        """The decision policysim reached (for a pattern: `allowed` when some matching resource is allowed)."""
        return self.pattern.decision if self.pattern is not None else self.outcome.decision

    @property
    def deciding_statements(self) -> tuple[StatementRef, ...]:
        """The statements the outcome's reasons name, in order, without repeats."""
        return self.outcome.statements

    @property
    def unmet(self) -> tuple[str, ...]:
        """What the test asked beyond the decision that the outcome does not show, in words (empty when met)."""
        out: list[str] = []
        gates = self.outcome.gates
        if self.expected_gate is not None and self.expected_gate not in gates:
            got = ", ".join(f"`{g.value}`" for g in gates) or "none"
            out.append(f"expected gate `{self.expected_gate.value}`, got {got}")
        if self.expected_statement is not None:
            refs = self.deciding_statements
            if not any(self.expected_statement in statement_names(ref) for ref in refs):
                got = ", ".join(f"`{statement_names(ref)[1]}`" for ref in refs) or "none"
                out.append(f"expected deciding statement `{self.expected_statement}`, got {got}")
        return tuple(out)

    @property
    def expectation(self) -> str:
        """`expected X, got Y`, then what else was expected and not met (`; expected gate `trust`, got `identity``)."""
        return "; ".join([f"expected {self.expected}, got {self.decision.value}", *self.unmet])

    @property
    def passed(self) -> bool:
        """Did the outcome meet the expectation: the decision, and the gate and statement where the test names them?
        (Also computed for a skipped test.)"""
        met = self.decision in MATCHES[self.expected]
        denied_anyway = self.pattern.denied_anyway if self.pattern is not None else self.outcome.denied_anyway
        if self.expected == "denied" and denied_anyway:
            met = True  # denied whatever the unknowns hold, though of unknown kind
        return met and not self.unmet

    @property
    def skipped(self) -> bool:
        """Was the test suppressed? A skipped test is reported with its reason and never counts as failed."""
        return self.skip_reason is not None

    @property
    def failed(self) -> bool:
        """Is this an unmet expectation that counts: not passed and not skipped."""
        return not self.passed and not self.skipped
