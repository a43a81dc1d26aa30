"""policysim: would AWS allow this request, and why — offline.

The public API; everything else is private::

    import policysim
    world = policysim.load_scenario("scenarios/cross-account-delegation.yaml")
    outcome = world.evaluate(principal="David", action="sts:AssumeRole",
                             resource="arn:aws:iam::999999999999:role/UpdateData")
    outcome.decision, outcome.allowed, outcome.reasons, str(outcome.explain())
"""

from policysim.compiled import StatementRef
from policysim.diff import Change, ChangeKind, Exploration, diff_scenarios
from policysim.engine.outcome import Explanation, Outcome, Reason
from policysim.enums import Decision, Effect, Gate, PolicyKind, ReasonCode
from policysim.errors import (
    ConfigError,
    EvaluationError,
    InputError,
    Location,
    ParseError,
    PolicyError,
    PolicysimError,
    ReferenceError_,
    RequestError,
    SchemaError,
    UnresolvedReferenceError,
    UnsupportedError,
)
from policysim.scenario.api import Scenario, Session, load_scenario
from policysim.scenario.results import TestResult
from policysim.scenario.spec import RequestSpec

__all__ = [
    "Change",
    "ChangeKind",
    "ConfigError",
    "Decision",
    "Effect",
    "EvaluationError",
    "Explanation",
    "Exploration",
    "Gate",
    "InputError",
    "Location",
    "Outcome",
    "ParseError",
    "PolicyError",
    "PolicyKind",
    "PolicysimError",
    "Reason",
    "ReasonCode",
    "ReferenceError_",
    "RequestError",
    "RequestSpec",
    "Scenario",
    "SchemaError",
    "Session",
    "StatementRef",
    "TestResult",
    "UnresolvedReferenceError",
    "UnsupportedError",
    "diff_scenarios",
    "load_scenario",
]
