"""IAM resources of a template -> users, groups, roles and managed policies of the stack's account.

Two passes, so that a policy of one stack can attach to a role of another: `add_entity` enters the
`AWS::IAM::Role`, `User`, `Group` and `ManagedPolicy` resources (with their own `Policies`, `ManagedPolicyArns`,
`PermissionsBoundary`, `Path`, `Tags`, `MaxSessionDuration`, `Groups`); `add_attachment` then joins
`AWS::IAM::Policy`, `RolePolicy`/`UserPolicy`/`GroupPolicy`, the `Roles`/`Users`/`Groups` of a managed policy, and
`UserToGroupAddition`; `finish` turns references to the imported managed policies into their names.

What the templates cannot tell makes the identity side unknown, never silently narrower or wider: a resource whose
condition is unknown has unknown policies; a policy attached to a principal whose name is unknown puts an unknown
reference on every principal of that kind in the account (any of them may be the one); a principal the templates
attach to but do not define is imported with what they give it and unknown policies for the rest; a user in a group
the templates do not define, or attached to a customer managed policy they do not define, gets an unknown reference.
"""

from __future__ import annotations

from typing import Any

from policysim.errors import Location

from .cfn_intrinsics import Condition
from .cfn_model import Model, existence, list_items
from .cfn_stack import Stack
from .cfn_values import NO_VALUE, Unknown, text, where

ENTITIES = {
    "AWS::IAM::Role": "roles",
    "AWS::IAM::User": "users",
    "AWS::IAM::Group": "groups",
    "AWS::IAM::ManagedPolicy": "policies",
}
ATTACHMENTS = {
    "AWS::IAM::Policy": None,
    "AWS::IAM::RolePolicy": ("roles", "RoleName"),
    "AWS::IAM::UserPolicy": ("users", "UserName"),
    "AWS::IAM::GroupPolicy": ("groups", "GroupName"),
    "AWS::IAM::ManagedPolicy": None,
    "AWS::IAM::UserToGroupAddition": None,
}
_TARGETS = (("Roles", "roles"), ("Users", "users"), ("Groups", "groups"))


def _props(logical_id: str) -> tuple[str, ...]:
    return ("Resources", logical_id, "Properties")


def _name_note(model: Model, stack: Stack, logical_id: str, kind: str, name: str, unknown: Unknown | None) -> None:
    if unknown is not None:
        model.warn(
            f"the name of {kind} `{logical_id}` is unknown ({unknown.reason}): it is imported as `{name}`, which only "
            "references to the resource itself (Ref, Fn::GetAtt) match",
            model.logical(stack, logical_id),
        )


def tags(model: Model, stack: Stack, logical_id: str) -> dict[str, str]:
    """A resource's `Tags` (`[{Key, Value}]`, or a map as some types take) as a map; unknown ones left out, warned."""
    path = (*_props(logical_id), "Tags")
    items = list_items(stack, path)
    if isinstance(items, Unknown):
        model.warn(
            f"the tags of `{logical_id}` are unknown ({items.reason}): they are left out", stack.doc.locate(path)
        )
        return {}
    out: dict[str, str] = {}
    pairs: list[tuple[Any, Any, Any]] = []
    for at, item in items:
        if isinstance(item, dict) and "Key" in item:
            pairs.append((at, item.get("Key"), item.get("Value", "")))
        elif isinstance(item, dict):
            pairs.extend((at, key, value) for key, value in item.items())
    for at, key, value in pairs:
        if isinstance(key, Unknown) or isinstance(value, Unknown):
            reason = (key if isinstance(key, Unknown) else value).reason
            model.warn(f"a tag of `{logical_id}` is unknown ({reason}): it is left out", stack.doc.locate(at))
        elif not isinstance(key, dict | list) and not isinstance(value, dict | list):
            out[text(key)] = text(value)
    return out


def _inline(model: Model, stack: Stack, logical_id: str, base: tuple[Any, ...], exists: Condition) -> dict[str, Any]:
    """The `Policies: [{PolicyName, PolicyDocument}]` of a user, group or role."""
    path = (*_props(logical_id), "Policies")
    items = list_items(stack, path)
    if isinstance(items, Unknown):
        name = f"{logical_id}-Policies"
        model.imported.sources[(*base, "inline_policies", name)] = stack.doc.locate(path)
        return {name: items.marker()}
    out: dict[str, Any] = {}
    for index, (at, item) in enumerate(items):
        if not isinstance(item, dict):
            continue
        given = item.get("PolicyName")
        name = text(given) if isinstance(given, str | int) else f"{logical_id}-Policy{index + 1}"
        doc_path = (*at, "PolicyDocument") if at != path else path
        raw_doc = item.get("PolicyDocument", NO_VALUE)
        doc = model.document(stack, doc_path, (*base, "inline_policies", name), exists, raw_doc)
        if doc is not NO_VALUE:
            out[name] = doc
    return out


def _principal_common(
    model: Model, stack: Stack, logical_id: str, entry: dict[str, Any], base: tuple[Any, ...], exists: Condition
) -> None:
    props = _props(logical_id)
    inline = _inline(model, stack, logical_id, base, exists)
    if inline:
        entry["inline_policies"] = inline
    managed = (
        [exists.marker()] if isinstance(exists, Unknown) else model.references(stack, (*props, "ManagedPolicyArns"))
    )
    if managed:
        entry["managed_policies"] = managed
    if "PermissionsBoundary" in stack.resources[logical_id].get("Properties", {}):
        boundary = stack.prop(logical_id, "PermissionsBoundary")
        ref = model.reference(
            exists if isinstance(exists, Unknown) else boundary, stack, (*props, "PermissionsBoundary")
        )
        if ref is not NO_VALUE:
            entry["permissions_boundary"] = ref
    path = stack.prop(logical_id, "Path")
    if isinstance(path, Unknown):
        model.warn(
            f"the path of `{logical_id}` is unknown ({path.reason}): `/` is assumed", model.logical(stack, logical_id)
        )
    identity = stack.identity(logical_id)
    if identity is not None and identity.path != "/":
        entry["path"] = identity.path


def add_entity(model: Model, stack: Stack, logical_id: str, resource_type: str) -> None:
    """Enter a role, user, group or managed policy (see the module docstring)."""
    exists = existence(stack, logical_id)
    identity = stack.identity(logical_id)
    if exists is False or identity is None:
        return
    kind = ENTITIES[resource_type]
    base = ("accounts", stack.account, kind, identity.name)
    props = _props(logical_id)
    _name_note(model, stack, logical_id, kind[:-1], identity.name, identity.unknown)
    model.alias(stack, logical_id, identity.arn)
    if kind == "policies":
        doc = model.document(stack, (*props, "PolicyDocument"), base, exists)
        place = model.account(stack).setdefault("policies", {})
        if identity.name in place or doc is NO_VALUE:
            why = "another policy has its name" if identity.name in place else "it has no PolicyDocument"
            model.warn(f"managed policy `{logical_id}` is left out: {why}", model.logical(stack, logical_id))
            return
        place[identity.name] = doc
        model.imported.sources[base] = model.logical(stack, logical_id)
        if identity.arn is not None:
            model.policy_names[(stack.account, identity.arn)] = identity.name
        return
    entry = model.entity(stack, kind, identity.name, logical_id)
    if entry is None:
        return
    if kind != "groups":
        entry_tags = tags(model, stack, logical_id)
        if entry_tags:
            entry["tags"] = entry_tags
    _principal_common(model, stack, logical_id, entry, base, exists)
    if kind == "users":
        _user_groups(model, stack, logical_id, entry)
    if kind == "roles":
        trust = model.document(stack, (*props, "AssumeRolePolicyDocument"), (*base, "trust_policy"), exists)
        if trust is not NO_VALUE:
            entry["trust_policy"] = trust
        duration = stack.prop(logical_id, "MaxSessionDuration")
        if isinstance(duration, Unknown):
            model.warn(
                f"the MaxSessionDuration of `{logical_id}` is unknown ({duration.reason}): 3600 is assumed",
                model.logical(stack, logical_id),
            )
        elif duration is not NO_VALUE:
            seconds = int(text(duration)) if text(duration).isdigit() else 0
            if 3600 <= seconds <= 43200:
                entry["max_session_duration"] = seconds
            else:
                model.warn(
                    f"the MaxSessionDuration of `{logical_id}` is not 3600 to 43200 seconds: AWS would refuse "
                    "it; 3600 is assumed",
                    model.logical(stack, logical_id),
                )
        entry["role_id"] = identity.values["role_id"]


def _user_groups(model: Model, stack: Stack, logical_id: str, entry: dict[str, Any]) -> None:
    items = list_items(stack, (*_props(logical_id), "Groups"))
    if isinstance(items, Unknown):
        entry.setdefault("managed_policies", []).append(
            Unknown(f"the groups of user `{logical_id}` are unknown: {items.reason}", items.source).marker()
        )
        return
    for at, name in items:
        if isinstance(name, Unknown):
            reason = f"a group of user `{logical_id}` is unknown: {name.reason}"
            entry.setdefault("managed_policies", []).append(Unknown(reason, name.source).marker())
        elif isinstance(name, str):
            entry.setdefault("groups", []).append(name)
            model.group_sources.setdefault((stack.account, name), stack.doc.locate(at))


def _targets(stack: Stack, logical_id: str, prop: str) -> list[tuple[Any, Any]] | Unknown:
    items = list_items(stack, (*_props(logical_id), prop))
    return items if isinstance(items, Unknown) else [(at, value) for at, value in items]


def _attach(model: Model, stack: Stack, logical_id: str, kind: str, name: Any, at: Any, apply: Any, what: str) -> None:
    """Apply `apply(entry, path)` to the `kind` entity `name`; an unknown name marks every entity of the kind."""
    if name is NO_VALUE or name is None:
        model.warn(f"{what} (`{logical_id}`) names no {kind[:-1]}: it is left out", model.logical(stack, logical_id))
        return
    if isinstance(name, Unknown):
        reason = f"{what} (`{logical_id}`) is attached to a {kind[:-1]} whose name is unknown: {name.reason}"
        for entity in model.accounts.get(stack.account, {}).get(kind, {}).values():
            entity.setdefault("managed_policies", []).append(Unknown(reason, name.source).marker())
        return
    if not isinstance(name, str) or not name:
        model.warn(f"{what} (`{logical_id}`) names no {kind[:-1]}: it is left out", stack.doc.locate(at))
        return
    entry = model.find(stack, kind, name)
    if entry is None:
        entry = _external(model, stack, kind, name, stack.doc.locate(at))
    apply(entry, ("accounts", stack.account, kind, name))


def _external(model: Model, stack: Stack, kind: str, name: str, at: Location) -> dict[str, Any]:
    """A user, group or role the templates attach to but do not define: it exists, with what they give it and an
    unknown for the rest (a role's trust policy, every entity's other policies); its path is taken as `/`."""
    what = "its trust policy and other policies" if kind == "roles" else "its other policies"
    marker = Unknown(f"{kind[:-1]} `{name}` is not defined in the imported templates: {what} are unknown", where(at))
    entry: dict[str, Any] = {"managed_policies": [marker.marker()]}
    if kind == "roles":
        entry["trust_policy"] = marker.marker()
    model.account(stack).setdefault(kind, {})[name] = entry
    model.imported.sources[("accounts", stack.account, kind, name)] = at
    return entry


def add_attachment(model: Model, stack: Stack, logical_id: str, resource_type: str) -> None:
    """Join a policy, a managed policy's attachments or a group membership to the entities they name."""
    exists = existence(stack, logical_id)
    if exists is False:
        return
    props = _props(logical_id)
    if resource_type == "AWS::IAM::UserToGroupAddition":
        group = stack.prop(logical_id, "GroupName")
        targets = _targets(stack, logical_id, "Users")
        if isinstance(targets, Unknown):
            targets = [(props, targets)]
        for at, user in targets:

            def join(entry: dict[str, Any], _: Any, group: Any = group) -> None:
                if isinstance(group, Unknown) or isinstance(exists, Unknown):
                    missing = group if isinstance(group, Unknown) else exists
                    assert isinstance(missing, Unknown)
                    entry.setdefault("managed_policies", []).append(missing.marker())
                elif isinstance(group, str):
                    entry.setdefault("groups", []).append(group)

            _attach(model, stack, logical_id, "users", user, at, join, "a group membership")
        return
    if resource_type == "AWS::IAM::ManagedPolicy":
        identity = stack.identity(logical_id)
        if identity is None or identity.name not in model.accounts.get(stack.account, {}).get("policies", {}):
            return
        for prop, kind in _TARGETS:
            targets = _targets(stack, logical_id, prop)
            if isinstance(targets, Unknown):
                targets = [((*props, prop), targets)]
            for at, target in targets:

                def attach(entry: dict[str, Any], _: Any, name: str = identity.name) -> None:
                    entry.setdefault("managed_policies", []).append(name)

                _attach(model, stack, logical_id, kind, target, at, attach, f"managed policy `{identity.name}`")
        return
    name = stack.prop(logical_id, "PolicyName")
    policy_name = text(name) if isinstance(name, str | int) and not isinstance(name, bool) else logical_id
    fixed = ATTACHMENTS[resource_type]
    groups = (
        [(fixed[0], [((*props, fixed[1]), stack.prop(logical_id, fixed[1]))])]
        if fixed
        else [(kind, _targets(stack, logical_id, prop)) for prop, kind in _TARGETS]
    )
    for kind, found in groups:
        targets = [((*props,), found)] if isinstance(found, Unknown) else found
        for at, target in targets:

            def inline(entry: dict[str, Any], base: tuple[Any, ...]) -> None:
                policies = entry.setdefault("inline_policies", {})
                if policy_name in policies:
                    model.warn(
                        f"inline policy `{policy_name}` (`{logical_id}`) replaces one of the same name",
                        model.logical(stack, logical_id),
                    )
                doc = model.document(stack, (*props, "PolicyDocument"), (*base, "inline_policies", policy_name), exists)
                if doc is not NO_VALUE:
                    policies[policy_name] = doc

            _attach(model, stack, logical_id, kind, target, at, inline, f"policy `{policy_name}`")


def finish(model: Model) -> None:
    """References to imported managed policies become their names; groups and customer managed policies the
    templates do not define become unknown references."""
    for account, entry in model.accounts.items():
        groups = entry.get("groups", {})
        for kind in ("users", "groups", "roles"):
            for name, principal in entry.get(kind, {}).items():
                refs = principal.get("managed_policies", [])
                principal_path = ("accounts", account, kind, name)
                where_ = model.imported.sources.get(principal_path)
                source = f"{where_.file}:{where_.line}:{where_.column}" if where_ is not None else name
                principal["managed_policies"] = [_policy_ref(model, account, ref, source) for ref in refs]
                if not principal["managed_policies"]:
                    del principal["managed_policies"]
                if "permissions_boundary" in principal:
                    principal["permissions_boundary"] = _policy_ref(
                        model, account, principal["permissions_boundary"], source
                    )
                if kind != "users":
                    continue
                principal.setdefault("managed_policies", [])
                known = [group for group in principal.get("groups", []) if group in groups]
                for group in principal.get("groups", []):
                    if group not in groups:
                        at = model.group_sources.get((account, group))
                        reason = f"group `{group}` is not defined in the imported templates: its policies are unknown"
                        loc = f"{at.file}:{at.line}:{at.column}" if at is not None else source
                        principal["managed_policies"].append(Unknown(reason, loc).marker())
                principal["groups"] = list(dict.fromkeys(known))
                if not principal["groups"]:
                    del principal["groups"]
                if not principal["managed_policies"]:
                    del principal["managed_policies"]


def _policy_ref(model: Model, account: str, ref: Any, source: str) -> Any:
    if not isinstance(ref, str):
        return ref
    name = model.policy_names.get((account, ref))
    if name is not None:
        return name
    if ref.startswith("arn:") and ":iam::aws:policy/" not in ref and ":policy/" in ref:
        return Unknown(f"customer managed policy `{ref}` is not defined in the imported templates", source).marker()
    return ref
