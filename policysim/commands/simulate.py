"""`policysim simulate-custom-policy` and `policysim simulate-principal-policy`: the AWS CLI commands, offline.

Flags override `--cli-input-json`; list flags repeat (`--action-names a --action-names b`). Output is the AWS
JSON (indent 4) on stdout, exit 0 whenever the simulation ran; invalid input exits 2 with
`policysim: error: <location>: <message>` on stderr.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from policysim.errors import Location, PolicysimError, SchemaError

if TYPE_CHECKING:
    from policysim.load import Document

# The loaders, the scenario API and the twins are imported where they are used, when a simulate command runs.

Many = Annotated[list[str] | None, typer.Option()]
One = Annotated[str | None, typer.Option()]
_SHORTHAND_KEYS = ("ContextKeyName", "ContextKeyValues", "ContextKeyType")


def _file_of(value: str) -> str | None:
    """The path of a `file://` / `fileb://` value (the AWS CLI's file references), else None."""
    return value.split("://", 1)[1] if value.startswith(("file://", "fileb://")) else None


def read_value(value: str) -> str:
    """A flag value: literal text or `file://path` (read with the input limits, as strict UTF-8)."""
    from policysim.load import decode_input, read_limited

    path = _file_of(value)
    if path is None:
        return value
    return decode_input(read_limited(path, path), path)


def _input_document(value: str | None) -> Document:
    """`--cli-input-json`: `file://path`, `-` (standard input), a path, or the JSON itself.

    Files and standard input are read with the loader's limits (`policysim.load.read_limited`): a regular file
    only, at most `MAX_INPUT_BYTES`, strict UTF-8; so `file:///dev/zero` or a FIFO is refused, never read.
    """
    from policysim.load import Document, load_json, read_limited, read_stream_limited

    if value is None:
        return Document.from_data({}, "<flags>")
    if value == "-":
        return load_json(read_stream_limited(name="<stdin>"), "<stdin>")
    path = _file_of(value)
    if path is None and not value.lstrip().startswith("{") and os.path.lexists(value):
        path = value
    if path is not None:
        return load_json(read_limited(path, path), path)
    return load_json(value, "--cli-input-json")


def _json_flag(value: str, label: str) -> Any:
    """A flag's JSON value, loaded by the strict located loader (duplicate keys, depth and size refused)."""
    from policysim.load import load_json

    return load_json(value, label).data


def context_entries(values: list[str]) -> list[Any]:
    """`--context-entries` values: JSON (an entry or a list) or AWS CLI shorthand, one entry per value."""
    out: list[Any] = []
    for value in values:
        text = read_value(value).strip()
        if text.startswith(("[", "{")):
            data = _json_flag(text, "--context-entries")
            out.extend(data if isinstance(data, list) else [data])
        else:
            out.append(_shorthand(text))
    return out


def _shorthand(text: str) -> dict[str, Any]:
    """`ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=t` (values may be quoted)."""
    entry: dict[str, Any] = {}
    key: str | None = None
    for token in re.findall(r"(?:'[^']*'|\"[^\"]*\"|[^,])+", text):
        name, sep, rest = token.partition("=")
        if sep and name.strip() in _SHORTHAND_KEYS:
            key = name.strip()
            entry[key] = [] if key == "ContextKeyValues" else ""
            token = rest
        elif key != "ContextKeyValues":
            raise SchemaError(f"cannot read context entry shorthand `{text}`", Location("--context-entries"))
        value = token.strip().strip("'\"")
        if key == "ContextKeyValues":
            entry[key].append(value)
        else:
            entry[str(key)] = value
    return entry


def _merge(doc: Document, flags: dict[str, Any]) -> Document:
    from policysim.load import Document

    if not isinstance(doc.data, dict):
        raise SchemaError("the input must be a JSON object", doc.locate(()))
    data = dict(doc.data)
    data.update({k: v for k, v in flags.items() if v is not None})
    return Document(data, doc.file, doc.spans, doc.key_spans)


def _run(work: Callable[[], dict[str, Any]]) -> None:
    try:
        result = work()
    except PolicysimError as error:
        typer.echo(f"policysim: error: {error.render()}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result, indent=4))


def _texts(values: list[str] | None) -> list[str] | None:
    return None if values is None else [read_value(v) for v in values]


def _common_flags(
    action_names: list[str] | None,
    resource_arns: list[str] | None,
    resource_policy: str | None,
    resource_owner: str | None,
    caller_arn: str | None,
    context: list[str] | None,
    policy_input_list: list[str] | None,
    boundary: list[str] | None,
) -> dict[str, Any]:
    return {
        "ActionNames": action_names,
        "ResourceArns": resource_arns,
        "ResourcePolicy": None if resource_policy is None else read_value(resource_policy),
        "ResourceOwner": resource_owner,
        "CallerArn": caller_arn,
        "ContextEntries": None if context is None else context_entries(context),
        "PolicyInputList": _texts(policy_input_list),
        "PermissionsBoundaryPolicyInputList": _texts(boundary),
    }


def register(app: typer.Typer) -> None:
    """Add `simulate-custom-policy` and `simulate-principal-policy` to the CLI app."""

    @app.command("simulate-custom-policy")
    def simulate_custom_policy(
        cli_input_json: Annotated[str | None, typer.Option(help="file://input.json, - for stdin, or a path")] = None,
        policy_input_list: Many = None,
        permissions_boundary_policy_input_list: Many = None,
        action_names: Many = None,
        resource_arns: Many = None,
        resource_policy: One = None,
        resource_owner: One = None,
        caller_arn: One = None,
        context_entries_: Annotated[list[str] | None, typer.Option("--context-entries")] = None,
    ) -> None:
        """Simulate policies given as JSON strings, like `aws iam simulate-custom-policy`."""
        from policysim.twins.custom import simulate_document

        _run(
            lambda: simulate_document(
                _merge(
                    _input_document(cli_input_json),
                    _common_flags(
                        action_names,
                        resource_arns,
                        resource_policy,
                        resource_owner,
                        caller_arn,
                        context_entries_,
                        policy_input_list,
                        permissions_boundary_policy_input_list,
                    ),
                )
            )
        )

    @app.command("simulate-principal-policy")
    def simulate_principal_policy(
        scenario: Annotated[Path, typer.Option(help="the scenario file standing in for the account")],
        cli_input_json: Annotated[str | None, typer.Option(help="file://input.json, - for stdin, or a path")] = None,
        policy_source_arn: One = None,
        action_names: Many = None,
        resource_arns: Many = None,
        resource_policy: One = None,
        resource_owner: One = None,
        caller_arn: One = None,
        context_entries_: Annotated[list[str] | None, typer.Option("--context-entries")] = None,
        policy_input_list: Many = None,
        permissions_boundary_policy_input_list: Many = None,
    ) -> None:
        """Simulate a scenario user's or role's policies, like `aws iam simulate-principal-policy`."""
        from policysim.scenario.api import Scenario
        from policysim.twins.principal import simulate_principal_document

        def work() -> dict[str, Any]:
            world = Scenario.load(scenario)
            flags = _common_flags(
                action_names,
                resource_arns,
                resource_policy,
                resource_owner,
                caller_arn,
                context_entries_,
                policy_input_list,
                permissions_boundary_policy_input_list,
            )
            flags["PolicySourceArn"] = policy_source_arn
            return simulate_principal_document(world, _merge(_input_document(cli_input_json), flags))

        _run(work)
