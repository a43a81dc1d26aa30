"""Discovery's result as data (`explain --discover --format json`, and the queries' conditional answers)."""

from __future__ import annotations

from typing import Any

from policysim.engine.discovered import Discovery


def discovery_document(discovery: Discovery) -> dict[str, Any]:
    """`--discover`'s result as data: the status, the keys, each alternative (requirements, the verified context, the
    keys left absent) and, when there is none, why."""
    return {
        "status": discovery.status.value,
        "keys": list(discovery.keys),
        "exhaustive": discovery.exhaustive,
        "gaps": [gap.value for gap in discovery.gaps],
        "evaluations": discovery.evaluations,
        "alternatives": [
            {
                "requirements": [
                    {
                        "key": r.key,
                        "operator": r.operator.name,
                        "values": list(r.values),
                        "holds": r.holds,
                        "statement": str(r.statement),
                        "text": str(r),
                    }
                    for r in alternative.requirements
                ],
                "context": alternative.context,
                "unset": list(alternative.unset),
            }
            for alternative in discovery.alternatives
        ],
        "refused_by": [gate.value for gate in discovery.refused_by],
        "denies": [str(ref) for ref in discovery.denies],
        "text": discovery.lines(),
    }
