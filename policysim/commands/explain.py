"""`policysim explain`: the full reasoning for one request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policysim.commands.common import fail, library_option, parse_context

if TYPE_CHECKING:
    from policysim.engine.outcome import Outcome
    from policysim.engine.trace import PolicyTrace, StatementTrace


def _mark(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def statement_lines(st: StatementTrace) -> list[str]:
    """One statement's matching, part by part."""
    where = f" at {st.ref.location}" if st.ref.location and st.ref.location.line else ""
    head = (
        f"    statement {st.ref.label} ({st.ref.effect.value}){where}: {'APPLIES' if st.applies else 'does not apply'}"
    )
    lines = [
        head,
        f"      action: {_mark(st.action)}  resource: {_mark(st.resource)}  principal: {_mark(st.principal)}",
    ]
    for clause in st.conditions:
        got = "absent" if clause.request_values is None else ", ".join(clause.request_values) or "(empty)"
        lines.append(
            f"      condition {clause.operator} {clause.key} {list(clause.policy_values)} vs {got}: "
            f"{'true' if clause.result else 'false'} ({clause.reason})"
        )
    return lines


def render_text(outcome: Outcome, traces: list[PolicyTrace]) -> str:
    """The explanation, its key notes (conditions on keys the request never carries), then every policy considered."""
    from policysim.world.key_notes import key_notes

    lines = str(outcome.explain()).splitlines()
    lines += [f"note: {note}" for note in key_notes(outcome)]
    if traces:
        lines.append("policies considered:")
    for policy_trace in traces:
        lines.append(f"  {policy_trace.role} `{policy_trace.policy.id}`")
        for st in policy_trace.statements:
            lines += statement_lines(st)
    return "\n".join(lines)


def render_json(outcome: Outcome, traces: list[PolicyTrace]) -> str:
    """The same as JSON."""
    from policysim.world.key_notes import key_notes

    document: dict[str, Any] = {
        "decision": outcome.decision.value,
        "gates": [g.value for g in outcome.gates],
        "reasons": [str(r) for r in outcome.reasons],
        "missing_context_keys": list(outcome.missing_keys),
        "key_notes": [
            {"statement": str(n.statement), "key": n.key, "never_applies": n.never_applies, "message": str(n)}
            for n in key_notes(outcome)
        ],
        "policies": [
            {
                "role": t.role,
                "policy_id": t.policy.id,
                "statements": [
                    {
                        "statement": s.ref.label,
                        "effect": s.ref.effect.value,
                        "applies": s.applies,
                        "action": s.action,
                        "resource": s.resource,
                        "principal": s.principal,
                        "conditions": [
                            {
                                "operator": c.operator,
                                "key": c.key,
                                "policy_values": list(c.policy_values),
                                "request_values": None if c.request_values is None else list(c.request_values),
                                "result": c.result,
                            }
                            for c in s.conditions
                        ],
                    }
                    for s in t.statements
                ],
            }
            for t in traces
        ],
    }
    if outcome.discovery is not None:
        document["discovery"] = outcome.discovery.document()
    return json.dumps(document, indent=2)


def _tags(items: list[str] | None) -> dict[str, str]:
    """`KEY=VALUE` options into session tags."""
    tags: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"session tag `{item}` must be written `KEY=VALUE`")
        tags[key] = value
    return tags


def register(app: typer.Typer) -> None:
    """Add `explain` to the app."""

    @app.command()
    def explain(
        scenario: Annotated[Path, typer.Argument(help="the scenario file (its model is used; its tests are not run)")],
        principal: Annotated[str, typer.Option(help="user or role name, principal ARN, service, or anonymous")],
        action: Annotated[str, typer.Option(help="service:Action")],
        resource: Annotated[str, typer.Option(help="resource ARN or *")] = "*",
        context: Annotated[list[str] | None, typer.Option(help="key=value (repeat for lists)")] = None,
        assume: Annotated[list[str] | None, typer.Option(help="role to assume first (repeat for a chain)")] = None,
        session_name: Annotated[str | None, typer.Option(help="RoleSessionName of the AssumeRole hops")] = None,
        external_id: Annotated[str | None, typer.Option(help="ExternalId of the AssumeRole hops")] = None,
        mfa: Annotated[bool | None, typer.Option("--mfa/--no-mfa", help="the caller signed in with MFA")] = None,
        duration_seconds: Annotated[int | None, typer.Option(help="DurationSeconds of the AssumeRole hops")] = None,
        via: Annotated[str, typer.Option(help="api, cli or console (Switch Role)")] = "api",
        session_tag: Annotated[list[str] | None, typer.Option(help="KEY=VALUE session tag of the last hop")] = None,
        transitive_tag_key: Annotated[list[str] | None, typer.Option(help="a session tag key to carry on")] = None,
        source_identity: Annotated[str | None, typer.Option(help="SourceIdentity of the last hop")] = None,
        session_policy: Annotated[Path | None, typer.Option(help="JSON or YAML session policy of the last hop")] = None,
        resource_account: Annotated[str | None, typer.Option(help="owner of an undeclared resource")] = None,
        format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
        managed_policies: Annotated[Path | None, typer.Option()] = None,
        discover: Annotated[
            bool, typer.Option("--discover", help="also the conditions on missing context keys that would allow it")
        ] = False,
    ) -> None:
        """Explain one request: every policy considered, every statement matched, the decision."""
        from policysim.engine.trace import trace
        from policysim.load import load_file
        from policysim.scenario.api import Scenario
        from policysim.scenario.spec import RequestSpec

        if format not in ("text", "json"):
            fail(f"unknown format `{format}`; choose from text, json")
        model = Scenario.load(scenario, library=library_option(managed_policies))
        request = RequestSpec(
            principal=principal,
            action=action,
            resource=resource,
            context=parse_context(context),
            assume=tuple(assume or ()),
            session_name=session_name,
            external_id=external_id,
            mfa=mfa,
            session_policy=load_file(session_policy).data if session_policy is not None else None,
            duration_seconds=duration_seconds,
            resource_account=resource_account,
            via=via,
            session_tags=_tags(session_tag),
            transitive_tag_keys=tuple(transitive_tag_key or ()),
            source_identity=source_identity,
            discover=discover,
        )
        outcome = model.evaluate_spec(request)
        traces = trace(outcome.request, outcome.policies) if outcome.request and outcome.policies else []
        print(render_json(outcome, traces) if format == "json" else render_text(outcome, traces))
