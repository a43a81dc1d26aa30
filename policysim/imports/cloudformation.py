"""Import CloudFormation templates and CDK cloud assemblies (contracts.md section 5): `import_cloudformation`.

The work is split by concern: `cfn_decode` reads a template (JSON, or YAML with the short-form tags) with the
position of every value; `cfn_cdk` lists the stacks of a `cdk.out`; `cfn_params` gives a stack its parameter and
pseudo-parameter values; `cfn_intrinsics` evaluates intrinsic functions and conditions, keeping what cannot be told
as unknowns; `cfn_names` forms the names and ARNs of resources (generated names become symbolic identities);
`cfn_stack` is one template in its environment and the exports between stacks; `cfn_model` collects the scenario
data; `cfn_iam`, `cfn_resources` and `cfn_organizations` map resources to it. docs/imports.md describes the result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from policysim.errors import Location, ParseError, SchemaError
from policysim.load import read_limited

from . import cfn_iam, cfn_organizations, cfn_resources
from .cfn_cdk import is_assembly, read_assembly
from .cfn_decode import decode_template
from .cfn_model import Model
from .cfn_params import Given, check_environment, read_parameters
from .cfn_stack import Exports, Stack, StackSpec
from .model import Imported, ImportWarning

__all__ = ["import_cloudformation"]

_SHOWN = 6  # logical ids named per resource type in the absent list


def _label(path: Path) -> str:
    """A stand-in stack name from a template's file name (`app.template.yaml` -> `app`)."""
    stem = re.sub(r"[^A-Za-z0-9-]", "-", path.name.split(".")[0]).strip("-")
    return stem if stem and stem[0].isalpha() else f"stack-{stem}".rstrip("-")


def _specs(
    paths: Sequence[Path], account: str, region: str, stack_name: str | None, warnings: list[ImportWarning]
) -> list[StackSpec]:
    specs: list[StackSpec] = []
    plain = [Path(p) for p in paths if not is_assembly(Path(p))]
    if stack_name is not None and len(plain) > 1:
        raise SchemaError(
            f"stack_name names one stack, but {len(plain)} templates are given",
            Location(str(plain[1])),
            hint="import each template in an entry of its own",
        )
    for raw in paths:
        path = Path(raw)
        if not is_assembly(path):
            specs.append(StackSpec(str(path), stack_name, account, region, stack_name or _label(path)))
            continue
        stacks = read_assembly(path)
        if stack_name is not None:
            stacks = [stack for stack in stacks if stack.name == stack_name]
            if not stacks:
                raise SchemaError(f"the cloud assembly has no stack `{stack_name}`", Location(str(path)))
        for stack in stacks:
            for given, wanted, what in ((stack.account, account, "account"), (stack.region, region, "Region")):
                if given is not None and given != wanted:
                    warnings.append(
                        ImportWarning(
                            f"stack `{stack.name}` is for {what} {given}, the import's {what} {wanted} is used",
                            stack.where,
                        )
                    )
            specs.append(StackSpec(str(stack.template), stack.name, account, region, stack.name))
    labels = [spec.label for spec in specs]
    return [
        StackSpec(spec.path, spec.name, spec.account, spec.region, f"{spec.label}-{index + 1}")
        if labels.count(spec.label) > 1
        else spec
        for index, spec in enumerate(specs)
    ]


def _read(spec: StackSpec, given: Mapping[str, Given], exports: Exports) -> Stack:
    return Stack(decode_template(read_limited(spec.path), spec.path), spec, given, exports)


def _survey(model: Model, stacks: list[Stack]) -> None:
    """Say what the templates hold that is not imported: resource types, transforms, loops, nested stacks."""
    handled = {
        *cfn_iam.ENTITIES,
        *cfn_iam.ATTACHMENTS,
        *cfn_resources.DECLARED,
        *cfn_resources.POLICIES,
        *cfn_organizations.TYPES,
    }
    skipped: dict[str, list[str]] = {}
    for stack in stacks:
        prefix = f"{stack.label}/" if model.several else ""
        transform = stack.doc.data.get("Transform")
        for name in transform if isinstance(transform, list) else [transform] if transform else []:
            if name != "AWS::LanguageExtensions":
                model.warn(
                    f"transform `{name}` runs when the stack is deployed: the template is imported as written",
                    stack.doc.locate(("Transform",)),
                )
                model.imported.absent.append(f"what transform `{name}` would add to {stack.spec.path}")
        for logical_id in stack.resources:
            if logical_id.startswith("Fn::ForEach::"):
                model.imported.absent.append(
                    f"the resources of loop `{prefix}{logical_id}` (Fn::ForEach is not expanded)"
                )
                continue
            kind = stack.type_of(logical_id)
            if kind not in handled and stack.resource_condition(logical_id) is not False:
                skipped.setdefault(kind or "(no Type)", []).append(prefix + logical_id)
    if skipped:
        parts = []
        for kind, ids in sorted(skipped.items()):
            more = f", and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else ""
            parts.append(f"{kind} ({', '.join(ids[:_SHOWN])}{more})")
        model.imported.absent.append("resources of types policysim does not import: " + "; ".join(parts))


def import_cloudformation(
    paths: Sequence[Path],
    *,
    account: str,
    region: str,
    stack_name: str | None = None,
    parameters: Mapping[str, str] | Path | None = None,
) -> Imported:
    """Read CloudFormation templates (JSON or YAML) and CDK cloud assemblies (`cdk.out` or its manifest.json)
    deployed in `account` and `region` into scenario data.

    `stack_name` names the stack of a single template (or picks one stack of a cloud assembly); `parameters` are
    the stacks' parameter values, as a mapping or a parameters file. Unreadable input is a located
    `PolicysimError`; what the templates cannot tell is unknown in the data; what is not imported is in `absent`
    and `warnings`."""
    check_environment(account, region, Location("<import>"))
    try:
        return _import(paths, account, region, stack_name, parameters)
    except RecursionError:  # references across many stacks; every evaluator bounds its own depth
        raise ParseError("the templates nest references too deeply to evaluate", Location(str(paths[0]))) from None


def _import(
    paths: Sequence[Path],
    account: str,
    region: str,
    stack_name: str | None,
    parameters: Mapping[str, str] | Path | None,
) -> Imported:
    warnings: list[ImportWarning] = []
    specs = _specs(paths, account, region, stack_name, warnings)
    given = read_parameters(parameters)
    exports = Exports()
    stacks = [_read(spec, given, exports) for spec in specs]
    model = Model(several_stacks=len(stacks) > 1)
    model.imported.warnings.extend(warnings)
    declared = set()
    for stack in stacks:
        model.imported.warnings.extend(stack.warnings)
        parameters_section = stack.doc.data.get("Parameters")
        declared |= set(parameters_section) if isinstance(parameters_section, dict) else set()
    for name, value in given.items():
        if name not in declared:
            model.warn(f"parameter `{name}` is not declared by any imported template: it is not used", value.location)
    for stack in stacks:  # first the principals, policies and resources ...
        for logical_id in stack.resources:
            kind = stack.type_of(logical_id)
            if kind in cfn_iam.ENTITIES:
                cfn_iam.add_entity(model, stack, logical_id, kind)
            elif kind in cfn_resources.DECLARED:
                cfn_resources.add_resource(model, stack, logical_id, kind)
    for stack in stacks:  # ... then what attaches to them, in any stack
        organizations = []
        for logical_id in stack.resources:
            kind = stack.type_of(logical_id)
            if kind in cfn_iam.ATTACHMENTS:
                cfn_iam.add_attachment(model, stack, logical_id, kind)
            elif kind in cfn_resources.POLICIES:
                cfn_resources.add_policy(model, stack, logical_id, kind)
            elif kind in cfn_organizations.TYPES:
                organizations.append(logical_id)
        if organizations:
            cfn_organizations.add_organizations(model, stack, organizations)
    cfn_iam.finish(model)
    _survey(model, stacks)
    _absent(model)
    return model.finish()


def _absent(model: Model) -> None:
    """The kinds of data templates never hold, as far as the imported ones touch them."""
    absent = model.imported.absent
    absent.append("principals, policies and resources the templates do not define")
    if model.organization is None:
        absent.append("SCPs and RCPs: the templates define no organization (the account may be in one)")
    else:
        absent.append("SCPs and RCPs attached outside the templates")
    accounts = model.accounts.values()
    if any(entry.get("buckets") for entry in accounts):
        absent.append(
            "S3 Block Public Access settings (the account's, and the buckets' PublicAccessBlockConfiguration)"
        )
    arns = [resource["arn"] for entry in accounts for resource in entry.get("resources", [])]
    if any(":kms:" in arn for arn in arns):
        absent.append("KMS grants")
    silent = [r["arn"] for e in accounts for r in e.get("resources", []) if ":sns:" in r["arn"] and "policy" not in r]
    if silent:
        absent.append(
            "the default policy SNS gives a topic created without a TopicPolicy (the owner account, through "
            f"AWS:SourceOwner): {', '.join(silent)}"
        )
