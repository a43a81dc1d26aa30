"""The context keys a decision can read: what a plan's memory of decisions is keyed by.

A decision of `decide` for one caller, action and resource reads the request context only through the statements
whose Action covers the action: their Condition keys, and the keys of the policy variables in their Resource and
Condition values. Two requests that agree on those keys (present or absent, and their values) get the same decision,
reasons, analysis and missing keys; `Evaluator.evaluate` relies on this to decide such a request once.
"""

from __future__ import annotations

from policysim.compiled import CompiledStatement
from policysim.engine.policies import PolicySet
from policysim.ir.template import parse_template


def keys_read(policies: PolicySet, action_lower: str) -> frozenset[str]:
    """Every (lowercased) context key a statement of `policies` covering the action reads."""
    keys: set[str] = set()
    for policy in policies.every_policy():
        for statement in policy.for_action(action_lower):
            keys |= statement_keys(statement)
    return frozenset(keys)


def statement_keys(statement: CompiledStatement) -> set[str]:
    """The context keys one statement reads: its Condition keys and its variables' keys."""
    keys: set[str] = set()
    resources = statement.resources
    if resources is not None:
        for pattern in resources.patterns:
            if pattern.has_variables:
                keys |= _variable_keys(pattern.text)
    condition = statement.condition
    if condition is not None:
        for clause in condition.clauses:
            keys.add(clause.key)
            if clause.variables_enabled:
                for value in clause.policy_values:
                    if "${" in value:
                        keys |= _variable_keys(value)
    return keys


def _variable_keys(text: str) -> set[str]:
    return {variable.key for variable in parse_template(text, variables_enabled=True).variables}
