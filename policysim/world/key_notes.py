"""Conditions on keys a request can never carry: a statement whose action and resource match the request but whose
condition reads a key that is neither global nor listed by the catalogue for the action and the resource's type.

"If the key that you specify in a policy condition is not present in the request context, the values do not match
and the condition is false" (reference_policies_elements_condition.md). For such a key that is so for every request
of the action, so the statement never applies (or, with `...IfExists` or `Null`, the condition always holds): a
Deny that never applies is the commonest silent mistake, and `check -v`, `explain` and the JSON report name it.
"""

from __future__ import annotations

from dataclasses import dataclass

from policysim.catalogue.fit import supplies
from policysim.compiled import StatementRef
from policysim.engine.outcome import Outcome


@dataclass(frozen=True)
class KeyNote:
    """One condition key of an applying-but-for-conditions statement that the request can never carry."""

    statement: StatementRef
    key: str  # as written in the policy
    action: str
    never_applies: bool  # True: the clause is false without the key; False: it holds without it (IfExists, Null)

    def __str__(self) -> str:
        effect = self.statement.effect.value
        what = "so the statement never applies" if self.never_applies else "so that condition always holds"
        return f"{effect} [{self.statement}] reads `{self.key}`, which a `{self.action}` request never carries: {what}"


def key_notes(outcome: Outcome) -> tuple[KeyNote, ...]:
    """The notes of an outcome, each key of each statement once (none when no policy was read)."""
    request, policies = outcome.request, outcome.policies
    if request is None or policies is None:
        return ()
    notes: dict[tuple[StatementRef, str], KeyNote] = {}
    for policy in policies.every_policy():
        for statement in policy.for_action(request.action_lower):
            condition = statement.condition
            if condition is None:
                continue
            if statement.resources is not None and not statement.resources.matches(request.resource, request.context):
                continue
            for clause in condition.clauses:
                if (statement.ref, clause.key) in notes or supplies(request.action, request.resource, clause.name):
                    continue
                notes[(statement.ref, clause.key)] = KeyNote(
                    statement.ref, clause.name, request.action, not clause.on_missing
                )
    return tuple(notes.values())
