"""AWS Organizations resources of a template -> the scenario's `organization:`.

A stack that manages an organization runs in its management account. `AWS::Organizations::Organization` gives the
organization (its id and root id are formed, as `cfn_names` forms generated ids); `OrganizationalUnit` the OU tree
(`ParentId` the root or another OU); `Policy` of type `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY` an SCP
or RCP, attached to its `TargetIds`: the root (`r-...`), an OU of the templates, or an account id. An account named
only by a target is placed under the root (the templates do not say where it is: the absent list says so), and
every level keeps `FullAWSAccess`, which AWS attaches to every root, OU and account. A target that is unknown makes
the root's SCPs (or RCPs) unknown: the policy may apply to every account. `AWS::Organizations::Account` ids are
generated when the account is created, so those accounts are not placed (a warning names them); other policy types
(tag, backup, ...) do not decide access and are left out.
"""

from __future__ import annotations

from typing import Any

from .cfn_model import Model, existence
from .cfn_stack import Stack
from .cfn_values import NO_VALUE, Unknown, text

TYPES = (
    "AWS::Organizations::Organization",
    "AWS::Organizations::OrganizationalUnit",
    "AWS::Organizations::Policy",
    "AWS::Organizations::Account",
    "AWS::Organizations::ResourcePolicy",
)
_KINDS = {"SERVICE_CONTROL_POLICY": "scps", "RESOURCE_CONTROL_POLICY": "rcps"}


def _organization(model: Model, stack: Stack, org_id: str) -> dict[str, Any]:
    if model.organization is None:
        model.organization = {
            "id": org_id,
            "management_account": stack.account,
            "policies": {},
            "root": {"accounts": [stack.account]},
            "units": {},
        }
    return model.organization


def _level(kind: str, level: dict[str, Any]) -> None:
    level.setdefault(kind, ["FullAWSAccess"] if kind == "scps" else [])


def add_organizations(model: Model, stack: Stack, logical_ids: list[str]) -> None:
    """Enter the organization the stack's Organizations resources describe."""
    present = [lid for lid in logical_ids if existence(stack, lid) is not False]
    orgs = [lid for lid in present if stack.type_of(lid) == TYPES[0]]
    identity = stack.identity(orgs[0]) if orgs else None
    if identity is None:
        seed = stack.identity(present[0]) if present else None
        org_id = seed.values["org_id"] if seed is not None else "o-0000000000"
        root_id = seed.values["root_id"] if seed is not None else "r-0000"
        model.imported.absent.append(
            "the organization's id: the templates manage an existing organization, imported under the formed id "
            f"`{org_id}`"
        )
    else:
        org_id, root_id = identity.values["org_id"], identity.values["root_id"]
    org = _organization(model, stack, org_id)
    units: dict[str, str] = {}  # OU id -> unit name
    for lid in present:
        if stack.type_of(lid) == TYPES[1]:
            ou = stack.identity(lid)
            name = stack.prop(lid, "Name")
            unit = text(name) if isinstance(name, str) else lid
            if unit in org["units"]:
                unit = f"{unit}-{lid}"
            parent = stack.prop(lid, "ParentId")
            if ou is not None:
                units[ou.values["ou_id"]] = unit
            org["units"][unit] = {"parent": parent}
            model.imported.sources[("organization", "units", unit)] = model.logical(stack, lid)
            model.alias(
                stack,
                lid,
                f"arn:{stack.partition}:organizations::{stack.account}:ou/{org_id}/"
                + (ou.values["ou_id"] if ou is not None else lid),
            )
    for unit in org["units"].values():
        parent = unit["parent"]
        unit["parent"] = units.get(parent, "root") if isinstance(parent, str) and parent != root_id else "root"
    for lid in present:
        kind = stack.type_of(lid)
        if kind == TYPES[2]:
            _policy(model, stack, lid, org, root_id, units)
        elif kind == TYPES[3]:
            model.warn(
                f"account `{lid}` gets its id when it is created: it is not placed in the organization",
                model.logical(stack, lid),
            )


def _policy(model: Model, stack: Stack, lid: str, org: dict[str, Any], root_id: str, units: dict[str, str]) -> None:
    kind = _KINDS.get(text(stack.prop(lid, "Type")))
    if kind is None:
        return
    name_value = stack.prop(lid, "Name")
    name = text(name_value) if isinstance(name_value, str) else lid
    content = model.document(
        stack, ("Resources", lid, "Properties", "Content"), ("organization", "policies", name), existence(stack, lid)
    )
    if content is NO_VALUE:
        return
    org["policies"][name] = content
    model.imported.sources[("organization", "policies", name)] = model.logical(stack, lid)
    targets = stack.prop(lid, "TargetIds")
    for target in targets if isinstance(targets, list) else [targets]:
        if target is NO_VALUE:
            continue
        if isinstance(target, Unknown):
            marker = Unknown(
                f"policy `{name}` is attached to a target that is unknown: {target.reason}", target.source
            ).marker()
            _level(kind, org["root"])
            org["root"][kind].append(marker)
            continue
        target = text(target)
        if target == root_id or target.startswith("r-"):
            level = org["root"]
        elif target in units:
            level = org["units"][units[target]]
        elif target.isdigit() and len(target) == 12:
            placed = [org["root"]["accounts"], *(unit.get("accounts", []) for unit in org["units"].values())]
            if not any(target in accounts for accounts in placed):
                org["root"]["accounts"].append(target)
                model.imported.absent.append(
                    f"the place of account {target} in the organization: it is not in the templates, placed under "
                    "the root"
                )
            level = model.accounts.setdefault(target, {})
        else:
            model.warn(
                f"target `{target}` of policy `{name}` is not in the templates: the attachment is left out",
                model.logical(stack, lid),
            )
            continue
        _level(kind, level)
        level[kind].append(name)
