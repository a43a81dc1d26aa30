"""The results of a scenario's tests, as data: what reporters, the pytest plugin and callers read."""

from __future__ import annotations

from dataclasses import dataclass

from policysim.engine.outcome import Outcome
from policysim.enums import Decision
from policysim.errors import Location
from policysim.model.scenario import Expectation

MATCHES: dict[str, frozenset[Decision]] = {
    "allowed": frozenset({Decision.ALLOWED}),
    "denied": frozenset({Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY}),
    "explicitDeny": frozenset({Decision.EXPLICIT_DENY}),
    "implicitDeny": frozenset({Decision.IMPLICIT_DENY}),
}


@dataclass(frozen=True)
class TestResult:
    """One evaluated expectation."""

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

    @property
    def decision(self) -> Decision:
        """The decision policysim reached."""
        return self.outcome.decision

    @property
    def passed(self) -> bool:
        """Did the decision meet the expectation? (Also computed for a skipped test.)"""
        return self.outcome.decision in MATCHES[self.expected]

    @property
    def skipped(self) -> bool:
        """Was the test suppressed? A skipped test is reported with its reason and never counts as failed."""
        return self.skip_reason is not None

    @property
    def failed(self) -> bool:
        """Is this an unmet expectation that counts: not passed and not skipped."""
        return not self.passed and not self.skipped
