"""The condition engine: a statement's `Condition` element compiled once, evaluated per request.

Public API::

    compile_condition(raw, *, variables_enabled, location) -> CompiledCondition
    CompiledCondition.evaluate(ctx, missing=None) -> bool
    CompiledCondition.explain(ctx) -> list[ClauseResult]
    CompiledCondition.clauses / .keys

Modules: `operators` (names -> `OperatorSpec`), `block` (AND / OR / NOR, missing keys, IfExists, set
qualifiers, written once), one module per family (`strings`, `numeric`, `dates`, `boolean`, `binary`, `ip`,
`arn`, `null`), `registry` (per-family facts: builder, whether values may hold policy
variables; checked at import), `values` (shared types), `explain`.
"""

from __future__ import annotations

from .block import CompiledCondition, compile_condition
from .clause import Clause
from .explain import ClauseResult
from .operators import Comparison, Family, OperatorSpec, SetQualifier, all_operator_names, parse_operator

__all__ = [
    "Clause",
    "ClauseResult",
    "Comparison",
    "CompiledCondition",
    "Family",
    "OperatorSpec",
    "SetQualifier",
    "all_operator_names",
    "compile_condition",
    "parse_operator",
]
