"""`who-can` and `what-can` answers as text, JSON (`format_version` 1) and Markdown (docs/queries.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from policysim.compiled import StatementRef
from policysim.engine.outcome import Outcome
from policysim.queries.chains import Hop
from policysim.queries.what_can import Grant, WhatCan
from policysim.queries.who_can import Access, WhoCan
from policysim.report.common import deciding_statements, where
from policysim.report.json_report import statement_document

FORMAT_VERSION = 1
QUERY_FORMATS = ("text", "json", "markdown")


def render_who_can(answer: WhoCan, fmt: str) -> str:
    """The who-can answer in `fmt` (one of QUERY_FORMATS)."""
    if fmt == "json":
        return json.dumps(who_can_document(answer), indent=2) + "\n"
    markdown = fmt == "markdown"
    out = [
        f"# who can `{answer.action}` on `{answer.resource}`"
        if markdown
        else f"who can {answer.action} on {answer.resource}"
    ]
    out.append(f"{answer.callers} callers asked, {answer.requests} requests evaluated")
    for title, rows in (
        ("allowed", answer.allowed),
        ("undetermined (unknown values of the model decide)", answer.undetermined),
        ("allowed only under conditions on context keys the request did not carry", answer.conditional),
    ):
        if not rows and title != "allowed":
            continue
        out += ["", f"## {title}" if markdown else f"{title}:"]
        if not rows:
            out.append("- nobody" if markdown else "  nobody")
        for (label, roles), group in groupby(rows, key=lambda a: (a.caller.label, a.roles)):
            items = list(group)
            out.append(_bullet(markdown, 0, _who(label, roles, markdown)))
            out += _hop_lines(items[0].hops, markdown, 1)
            for access in items:
                out.append(_bullet(markdown, 1, _request(access.action, access.resource, access.outcome, markdown)))
                if access.outcome.discovery is not None:
                    out += [_bullet(markdown, 2, line) for line in access.outcome.discovery.lines()]
    return "\n".join(out) + "\n"


def render_what_can(answer: WhatCan, fmt: str) -> str:
    """The what-can answer in `fmt` (one of QUERY_FORMATS)."""
    if fmt == "json":
        return json.dumps(what_can_document(answer), indent=2) + "\n"
    markdown = fmt == "markdown"
    scope = f" in service {answer.service}" if answer.service else ""
    out = [f"# what `{answer.principal}` can do{scope}" if markdown else f"what {answer.principal} can do{scope}"]
    out.append(f"{answer.requests} requests evaluated, {len(answer.allowed)} allowed")
    for title, rows in (
        ("allowed", answer.allowed),
        ("undetermined", answer.undetermined),
        ("allowed only under conditions on context keys the request did not carry", answer.conditional),
    ):
        if not rows and title != "allowed":
            continue
        for roles, by_path in groupby(rows, key=lambda g: g.roles):
            grants = list(by_path)
            who = "as itself" if not roles else "as " + " -> ".join(roles)
            out += ["", f"## {title}, {who}" if markdown else f"{title}, {who}:"]
            out += _hop_lines(grants[0].hops, markdown, 0)
            for (service, level), group in groupby(grants, key=lambda g: (g.service, g.access_level)):
                out.append(_bullet(markdown, 0, f"{service} ({level})"))
                for grant in group:
                    out.append(_bullet(markdown, 1, _request(grant.action, grant.resource, grant.outcome, markdown)))
                    if grant.outcome.discovery is not None:
                        out += [_bullet(markdown, 2, line) for line in grant.outcome.discovery.lines()]
        if not rows:
            out += ["", "nothing"]
    return "\n".join(out) + "\n"


def who_can_document(answer: WhoCan) -> dict[str, Any]:
    """The who-can answer as a JSON-ready document."""
    return {
        "format_version": FORMAT_VERSION,
        "query": "who-can",
        "action": answer.action,
        "resource": answer.resource,
        "callers": answer.callers,
        "requests": answer.requests,
        "allowed": [_access(a) for a in answer.allowed],
        "undetermined": [_access(a) for a in answer.undetermined],
        "conditional": [_access(a) for a in answer.conditional],
    }


def what_can_document(answer: WhatCan) -> dict[str, Any]:
    """The what-can answer as a JSON-ready document."""
    return {
        "format_version": FORMAT_VERSION,
        "query": "what-can",
        "principal": answer.principal,
        "service": answer.service,
        "sessions": [list(roles) for roles in answer.sessions],
        "requests": answer.requests,
        "allowed": [_grant(g) for g in answer.allowed],
        "undetermined": [_grant(g) for g in answer.undetermined],
        "conditional": [_grant(g) for g in answer.conditional],
    }


def _access(access: Access) -> dict[str, Any]:
    caller = access.caller
    return {
        "principal": caller.key,
        "kind": caller.kind.value,
        "label": caller.label,
        "path": [_hop(h) for h in access.hops],
        "action": access.action,
        "resource": access.resource,
        **_decided(access.outcome, access.decision.value),
        **({"discovery": access.outcome.discovery.document()} if access.outcome.discovery is not None else {}),
    }


def _grant(grant: Grant) -> dict[str, Any]:
    return {
        "path": [_hop(h) for h in grant.hops],
        "service": grant.service,
        "access_level": grant.access_level,
        "action": grant.action,
        "resource": grant.resource,
        **_decided(grant.outcome, grant.decision.value),
        **({"discovery": grant.outcome.discovery.document()} if grant.outcome.discovery is not None else {}),
    }


def _hop(hop: Hop) -> dict[str, Any]:
    found = hop.outcome.discovery
    return {
        "role": hop.role,
        **_decided(hop.outcome, hop.outcome.decision.value),
        **({"discovery": found.document()} if found is not None else {}),
    }


def _decided(outcome: Outcome, decision: str) -> dict[str, Any]:
    return {
        "decision": decision,
        "statements": [statement_document(ref) for ref in deciding_statements(outcome)],
        "reasons": [str(r) for r in outcome.reasons],
        "missing_context_keys": list(outcome.missing_keys),
    }


def _who(label: str, roles: Sequence[str], markdown: bool) -> str:
    name = f"`{label}`" if markdown else label
    return name if not roles else f"{name} via " + " -> ".join(f"`{r}`" if markdown else r for r in roles)


def _hop_lines(hops: Iterable[Hop], markdown: bool, depth: int) -> list[str]:
    out: list[str] = []
    for hop in hops:
        out.append(
            _bullet(markdown, depth, f"assumes {hop.role}: {hop.outcome.decision.value} by {_statements(hop.outcome)}")
        )
        if hop.outcome.discovery is not None:
            out += [_bullet(markdown, depth + 1, line) for line in hop.outcome.discovery.lines()]
    return out


def _request(action: str, resource: str, outcome: Outcome, markdown: bool) -> str:
    text = f"`{action}` on `{resource}`" if markdown else f"{action} on {resource}"
    keys = f"; reads absent context keys {', '.join(outcome.missing_keys)}" if outcome.missing_keys else ""
    return f"{text}: {outcome.decision.value} by {_statements(outcome)}{keys}"


def _statements(outcome: Outcome) -> str:
    refs = deciding_statements(outcome)
    return "; ".join(_ref(r) for r in refs) if refs else "; ".join(r.detail for r in outcome.reasons) or "-"


def _ref(ref: StatementRef) -> str:
    at = where(ref.location)
    return f"{ref}" + (f" at {at}" if at else "")


def _bullet(markdown: bool, depth: int, text: str) -> str:
    return ("  " * depth + "- " + text) if markdown else ("  " * (depth + 1) + text)
