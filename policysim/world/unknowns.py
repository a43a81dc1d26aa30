"""Deciding with unknown policies (contracts.md section 6): a policy whose document the input could not tell is
resolved both ways, as the most permissive and the most restrictive document it could be. AWS's logic is monotone in
what policies allow and deny, so every real document gives a decision between the two: when both agree, that is the
decision; when they differ, the decision is `undetermined` — never `allowed`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from policysim.compile import compile_policy
from policysim.compiled import CompiledPolicy
from policysim.engine.outcome import Outcome, Reason
from policysim.engine.policies import PolicySet
from policysim.enums import Decision, Effect, Gate, PolicyKind, ReasonCode
from policysim.load import Document

# the kinds whose statements name principals take `Principal: "*"`
_NAMES_PRINCIPALS = frozenset({PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP, PolicyKind.VPC_ENDPOINT})


@lru_cache(maxsize=1024)
def _extreme(kind: PolicyKind, effect: Effect, policy_id: str) -> CompiledPolicy:
    statement: dict[str, object] = {"Effect": effect.value, "Action": "*"}
    if kind is not PolicyKind.TRUST:  # "a trust policy must not contain `Resource`"
        statement["Resource"] = "*"
    if kind in _NAMES_PRINCIPALS:
        statement["Principal"] = "*"
    data = {"Version": "2012-10-17", "Statement": [statement]}
    return compile_policy(Document.from_data(data, policy_id), policy_id, kind)


def _as(effect: Effect) -> Callable[[CompiledPolicy], CompiledPolicy]:
    return lambda policy: _extreme(policy.kind, effect, policy.id)


def decide_with_unknowns(policies: PolicySet, authorize: Callable[[PolicySet], Outcome]) -> Outcome:
    """The outcome under `policies`, some of them unknown; `authorize` answers for a set without unknowns."""
    unknown = policies.unknowns()
    permissive = authorize(policies.resolved(_as(Effect.ALLOW)))
    restrictive = authorize(policies.resolved(_as(Effect.DENY)))
    if permissive.decision is restrictive.decision:
        # agreed: the explanation of an allow comes from the restrictive reading, of a deny from the permissive one,
        # so it never cites an invented statement
        return restrictive if restrictive.decision is Decision.ALLOWED else permissive
    found = tuple(policy.unknown for policy in unknown if policy.unknown is not None)
    reasons = tuple(
        Reason(
            Gate.of(policy.kind),
            Decision.UNDETERMINED,
            ReasonCode.UNKNOWN_DECIDES,
            facts=(
                ("policy", f"`{policy.id}`"),
                ("reason", item.reason),
                ("source", item.source),
                ("if_allows", permissive.decision.value),
                ("if_denies", restrictive.decision.value),
            ),
        )
        for policy, item in zip(unknown, found, strict=True)
    )
    gates = tuple(dict.fromkeys(reason.gate for reason in reasons))
    bounds = (permissive.decision, restrictive.decision)
    return Outcome(
        Decision.UNDETERMINED, gates, reasons, permissive.request, policies=policies, unknowns=found, bounds=bounds
    )
