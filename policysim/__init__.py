"""policysim: would AWS allow this request, and why — offline.

The public API; everything else is private::

    import policysim
    world = policysim.load_scenario("scenarios/cross-account-delegation.yaml")
    outcome = world.evaluate(principal="David", action="sts:AssumeRole",
                             resource="arn:aws:iam::999999999999:role/UpdateData")
    outcome.decision, outcome.allowed, outcome.reasons, str(outcome.explain())
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import policysim.kept_code  # noqa: F401 - first: the kept code of the records (see its docstring)
from policysim.enums import ChangeKind, Decision, Effect, Gate, PolicyKind, ReasonCode
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

if TYPE_CHECKING:
    from policysim.compiled import StatementRef
    from policysim.diff import Change, Exploration, diff_scenarios
    from policysim.engine.outcome import Explanation, Outcome, Reason
    from policysim.scenario.api import Scenario, Session, load_scenario
    from policysim.scenario.results import TestResult
    from policysim.scenario.spec import RequestSpec

# The names whose modules are imported on first use (PEP 562), so `import policysim` and every command that does
# not need them (`policysim check` never diffs) do not pay for them: name -> the module that defines it.
_LAZY = {
    "StatementRef": "policysim.compiled",
    "Change": "policysim.diff",
    "Exploration": "policysim.diff",
    "diff_scenarios": "policysim.diff",
    "Explanation": "policysim.engine.outcome",
    "Outcome": "policysim.engine.outcome",
    "Reason": "policysim.engine.outcome",
    "Scenario": "policysim.scenario.api",
    "Session": "policysim.scenario.api",
    "load_scenario": "policysim.scenario.api",
    "TestResult": "policysim.scenario.results",
    "RequestSpec": "policysim.scenario.spec",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
