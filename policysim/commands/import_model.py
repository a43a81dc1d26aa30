"""`policysim import gaad|terraform|cloudformation FILE...`: write what an import understood as a scenario file.

The file holds the imported `accounts:` and `organization:` (unknowns as `{unknown: {reason, source}}` markers), a
header naming the sources, what they did not give and their warnings, and no tests: users read it, edit it, and add
tests (contracts.md section 5).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from policysim.commands.common import fail, write_output

KINDS = ("gaad", "terraform", "cloudformation")


def scenario_text(kind: str, files: list[Path], data: dict[str, Any], notes: list[str]) -> str:
    """The scenario file: a comment header, then YAML (keys in the model's order, no anchors)."""
    import yaml

    header = [f"# policysim import {kind}: the model read from {', '.join(str(f) for f in files)}"]
    header += [f"# {note}" for note in notes]
    header.append("# Unknown values are {unknown: {reason, source}}: requests they decide are `undetermined`.")
    title = f"imported from {', '.join(f.name for f in files)}"
    document = {"scenario": title, "imported": True, **data, "tests": []}

    class _Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return "\n".join(header) + "\n" + body


def run_import(
    kind: str, files: list[Path], account: str | None, region: str | None, stack_name: str | None
) -> tuple[dict[str, Any], list[str]]:
    """Run one importer on `files`; its model and its notes (absent kinds, warnings)."""
    from policysim.imports.merge import normalize
    from policysim.imports.model import Imported

    found: Imported
    if kind == "gaad":
        from policysim.imports.gaad import import_gaad

        found = import_gaad(files, account=account)
    elif kind == "terraform":
        from policysim.imports.terraform import import_terraform_plan

        if len(files) != 1:
            fail("`policysim import terraform` reads one plan file")
        found = import_terraform_plan(files[0], account=account, region=region)
    else:
        from policysim.imports.cloudformation import import_cloudformation

        if account is None or region is None:
            fail("`policysim import cloudformation` needs --account and --region")
        found = import_cloudformation(files, account=account, region=region, stack_name=stack_name)
    normalize(found)
    notes = [f"not given: {what}" for what in found.absent]
    notes += [f"warning: {w.message} ({w.location})" for w in found.warnings]
    return found.data, notes


def register(app: typer.Typer) -> None:
    """Add `import` to the app."""

    @app.command("import")
    def import_model(
        kind: Annotated[str, typer.Argument(help="gaad, terraform or cloudformation")],
        files: Annotated[list[Path], typer.Argument(help="the export, plan or template files")],
        account: Annotated[str | None, typer.Option(help="the account id (when the input does not say)")] = None,
        region: Annotated[str | None, typer.Option(help="the region (Terraform, CloudFormation)")] = None,
        stack_name: Annotated[str | None, typer.Option(help="the stack name (CloudFormation)")] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="the scenario file to write")] = None,
    ) -> None:
        """Import a GAAD export, a Terraform plan or a CloudFormation template, and print it as a scenario file."""
        if kind not in KINDS:
            fail(f"unknown import kind `{kind}`; choose from {', '.join(KINDS)}")
        data, notes = run_import(kind, files, account, region, stack_name)
        write_output(scenario_text(kind, files, data, notes), output)
