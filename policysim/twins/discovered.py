"""The twins' `"SimulationMode": "Discovery"` extension: each result that is not allowed carries `DiscoveryStatus`
and, where some values of its missing context keys would allow it, `DiscoveredConditions` (docs/cli.md). The search
is `engine/discovery.py`; each witness is evaluated by the twin's own evaluator, as the result itself was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from policysim.compiled import StatementRef
from policysim.conditions import Family, SetQualifier
from policysim.engine.discovered import Alternative, Discovery, Requirement
from policysim.engine.outcome import Outcome
from policysim.errors import Location
from policysim.world.actor import Actor
from policysim.world.evaluator import Evaluator
from policysim.world.resolve import Target

DISCOVERY = "Discovery"
_KEY_TYPES = {
    Family.STRING: "string",
    Family.ARN: "string",
    Family.NULL: "string",
    Family.NUMERIC: "numeric",
    Family.DATE: "date",
    Family.BOOL: "boolean",
    Family.IP: "ip",
    Family.BINARY: "binary",
}


def with_discovery(
    mode: str,
    outcome: Outcome,
    evaluator: Evaluator,
    request: tuple[Actor, str, Target],
    extra: Mapping[str, tuple[str, ...] | None],
    where: Location | None,
) -> Outcome:
    """`outcome` with its discovery in Discovery mode (a result not allowed), else `outcome` itself."""
    if mode != DISCOVERY or outcome.allowed:
        return outcome
    from policysim.engine.discovery import discover

    actor, action, target = request

    def again(keys: Mapping[str, tuple[str, ...]]) -> Outcome:
        return evaluator.evaluate(actor, action, target, {**extra, **keys}, where)

    return replace(outcome, discovery=discover(outcome, again))


def discovery_fields(discovery: Discovery, source: Callable[[StatementRef], dict[str, Any]]) -> dict[str, Any]:
    """The extension keys of one result: `DiscoveryStatus` and, when found, `DiscoveredConditions`, one item per
    alternative with its conditions (`source` names each one's statement as `MatchedStatements` does) and the
    verified context as `ContextEntries` (ready to paste into an input)."""
    out: dict[str, Any] = {"DiscoveryStatus": discovery.status.value}
    if discovery.gaps:
        out["DiscoveryGaps"] = [gap.value for gap in discovery.gaps]
    if discovery.alternatives:
        out["DiscoveredConditions"] = [_alternative(a, source) for a in discovery.alternatives]
    return out


def _alternative(alternative: Alternative, source: Callable[[StatementRef], dict[str, Any]]) -> dict[str, Any]:
    conditions = [
        {
            "ContextKeyName": r.key,
            "Operator": r.operator.name,
            "Values": list(r.values),
            "Holds": r.holds,
            "Text": str(r),
            **source(r.statement),
        }
        for r in alternative.requirements
    ]
    entries = [
        {"ContextKeyName": key, "ContextKeyValues": list(values), "ContextKeyType": _key_type(key, alternative)}
        for key, values in alternative.witness
    ]
    return {"Conditions": conditions, "ContextEntries": entries, "AbsentContextKeys": list(alternative.unset)}


def _key_type(key: str, alternative: Alternative) -> str:
    """The `ContextKeyType` of a witness key: its conditions' family, a list type under a set qualifier."""
    found: list[Requirement] = [r for r in alternative.requirements if r.key.lower() == key.lower()]
    typed = [r for r in found if r.operator.family is not Family.NULL] or found
    kind = _KEY_TYPES[typed[0].operator.family] if typed else "string"
    many = any(r.operator.qualifier is not SetQualifier.NONE for r in found)
    return kind + "List" if many else kind
