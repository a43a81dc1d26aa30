"""The context keys a decision can read: what a plan's memory of decisions is keyed by.

A decision of `decide` for one caller, action and resource reads the request context only through the statements
whose Action covers the action: their Condition keys, and the keys of the policy variables in their Resource and
Condition values (each statement's `reads`, found when it is compiled). Two requests that agree on those keys
(present or absent, and their values) get the same decision, reasons, analysis and missing keys;
`Evaluator.evaluate` relies on this to decide such a request once.
"""

from __future__ import annotations

from policysim.engine.policies import PolicySet


def keys_read(policies: PolicySet, action_lower: str) -> frozenset[str]:
    """Every (lowercased) context key a statement of `policies` covering the action reads."""
    keys: set[str] = set()
    for policy in policies.every_policy():
        for statement in policy.for_action(action_lower):
            keys |= statement.reads
    return frozenset(keys)
