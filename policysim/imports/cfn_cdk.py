"""CDK cloud assemblies (`cdk.out`): the stacks its `manifest.json` lists.

Each artifact of type `aws:cloudformation:stack` is a stack: `properties.templateFile` (relative to the assembly
directory), `properties.stackName` (else the artifact id is the stack name, as CDK deploys it) and `environment`
(`aws://ACCOUNT/REGION`, or `unknown-account`/`unknown-region` for an environment-agnostic stack). Artifacts of
type `cdk:cloud-assembly` (CDK stages) are nested assemblies in `properties.directoryName`, read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policysim.errors import Location, SchemaError
from policysim.load import Document, load_json, read_limited

MAX_NESTING = 8


@dataclass(frozen=True)
class AssemblyStack:
    """One stack of a cloud assembly."""

    template: Path
    name: str
    account: str | None
    region: str | None
    where: Location  # the artifact in manifest.json


def is_assembly(path: Path) -> bool:
    """Is `path` a cloud assembly: a directory with a manifest.json, or a manifest.json?"""
    return (path.is_dir() and (path / "manifest.json").is_file()) or path.name == "manifest.json"


def _environment(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or not value.startswith("aws://"):
        return None, None
    account, _, region = value[len("aws://") :].partition("/")
    return (
        None if not account or account.startswith("unknown-") else account,
        None if not region or region.startswith("unknown-") else region,
    )


def read_assembly(path: Path, depth: int = 0) -> list[AssemblyStack]:
    """The stacks of the assembly at `path` (a `cdk.out` directory or its manifest.json)."""
    manifest = path / "manifest.json" if path.is_dir() else path
    doc: Document = load_json(read_limited(manifest), str(manifest))
    artifacts = doc.data.get("artifacts") if isinstance(doc.data, dict) else None
    if not isinstance(artifacts, dict):
        raise SchemaError("a cloud assembly manifest has `artifacts`", doc.locate(()))
    stacks: list[AssemblyStack] = []
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            continue
        where = doc.locate(("artifacts", artifact_id))
        found = artifact.get("properties")
        properties: dict[str, Any] = found if isinstance(found, dict) else {}
        kind = artifact.get("type")
        if kind == "aws:cloudformation:stack":
            template = properties.get("templateFile")
            if not isinstance(template, str):
                raise SchemaError(f"stack `{artifact_id}` names no templateFile", where)
            name = properties.get("stackName")
            account, region = _environment(artifact.get("environment"))
            stacks.append(
                AssemblyStack(
                    manifest.parent / template, name if isinstance(name, str) else artifact_id, account, region, where
                )
            )
        elif kind == "cdk:cloud-assembly" and isinstance(properties.get("directoryName"), str):
            if depth >= MAX_NESTING:
                raise SchemaError(f"cloud assemblies nest deeper than {MAX_NESTING} levels", where)
            stacks.extend(read_assembly(manifest.parent / properties["directoryName"], depth + 1))
    return stacks
