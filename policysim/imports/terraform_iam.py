"""The IAM resources of a plan: users, groups, roles and customer managed policies, then what attaches to them
(inline policies, managed-policy attachments, the exclusive attachment resources, group memberships, permissions
boundaries).

A holder (`aws_iam_role_policy.role`, ...) known only after apply is found through its configuration reference.
When the reference names a resource with several instances and the plan cannot tell which (no `count.index` or
`each.key` pairing), each of them may hold the policy: each gets an unknown in its place. An entity the plan does
not manage (a role named by a constant) imports with what the plan attaches and an unknown for the rest.
"""

from __future__ import annotations

import re
from typing import Any

from policysim.imports.terraform_model import GENERATED_PREFIX, SUFFIX_LENGTH, Entity, Model, digest
from policysim.imports.terraform_plan import Instance
from policysim.imports.terraform_policy import parse_document

ENTITY_TYPES = {
    "aws_iam_user": "users",
    "aws_iam_group": "groups",
    "aws_iam_role": "roles",
    "aws_iam_policy": "policies",
}
TYPE_OF = {kind: type_ for type_, kind in ENTITY_TYPES.items()}
SINGULAR = {"users": "user", "groups": "group", "roles": "role", "policies": "policy"}
INLINE = {
    "aws_iam_role_policy": ("role", "roles"),
    "aws_iam_user_policy": ("user", "users"),
    "aws_iam_group_policy": ("group", "groups"),
}
ATTACHMENTS = {
    "aws_iam_role_policy_attachment": ("role", "roles"),
    "aws_iam_user_policy_attachment": ("user", "users"),
    "aws_iam_group_policy_attachment": ("group", "groups"),
}
EXCLUSIVE_ATTACHMENTS = {
    "aws_iam_role_policy_attachments_exclusive": ("role_name", "roles"),
    "aws_iam_user_policy_attachments_exclusive": ("user_name", "users"),
    "aws_iam_group_policy_attachments_exclusive": ("group_name", "groups"),
}
EXCLUSIVE_INLINE = {
    "aws_iam_role_policies_exclusive": ("role_name", "roles"),
    "aws_iam_user_policies_exclusive": ("user_name", "users"),
    "aws_iam_group_policies_exclusive": ("group_name", "groups"),
}
TYPES = frozenset(
    {
        *ENTITY_TYPES,
        *INLINE,
        *ATTACHMENTS,
        *EXCLUSIVE_ATTACHMENTS,
        *EXCLUSIVE_INLINE,
        "aws_iam_policy_attachment",
        "aws_iam_user_group_membership",
        "aws_iam_group_membership",
    }
)
_AWS_MANAGED = re.compile(r"arn:[a-z-]+:iam::aws:policy/.+")
_CUSTOMER = re.compile(r"arn:[a-z-]+:iam::([0-9]{12}):policy/(?:.*/)?([^/]+)")
_PATH = re.compile(r"/(?:[\x21-\x7e]*/)?")

Holder = tuple[Entity, bool]  # the entity, and whether it certainly is the holder


def read_iam(model: Model) -> None:
    """All IAM resources of the plan, into the model."""
    plan = model.plan
    for instance in plan.of_type(*ENTITY_TYPES):
        _entity(model, instance)
    for instance in plan.of_type(*ENTITY_TYPES):
        entity = model.entities.get(instance.address)
        if entity is not None and entity.address == instance.address:
            _fill(model, instance, entity)
    for instance in plan.of_type(*INLINE):
        _inline(model, instance)
    for instance in plan.of_type(*ATTACHMENTS, *EXCLUSIVE_ATTACHMENTS, "aws_iam_policy_attachment"):
        _attachment(model, instance)
    for instance in plan.of_type("aws_iam_user_group_membership", "aws_iam_group_membership"):
        _membership(model, instance)
    for instance in plan.of_type(*EXCLUSIVE_INLINE):
        _exclusive_inline(model, instance)


def _entity(model: Model, instance: Instance) -> None:
    kind = ENTITY_TYPES[instance.type]
    name, symbolic = model.name(instance)
    path = model.plan.known(instance, "path")
    if not isinstance(path, str) or _PATH.fullmatch(path) is None:
        path = "/"
    arn = model.iam_arn(SINGULAR[kind], instance, name, path)
    model.check_arn_account(instance, arn)
    entity = Entity(kind, name, arn, model.plan.locate(instance), instance.address, symbolic)
    if path != "/" and kind != "policies":
        entity.body["path"] = path
    model.add(entity, instance)


def _fill(model: Model, instance: Instance, entity: Entity) -> None:
    plan = model.plan
    if entity.kind == "policies":
        document = model.document(instance, "policy", what="the policy")
        entity.body["document"] = (
            document if document is not None else model.marker(instance, "the policy is not a document AWS would store")
        )
        entity.sources[()] = plan.locate(instance, "policy")
        return
    if entity.kind == "groups":
        return
    entity.body["tags"] = tags(model, instance)
    if plan.known(instance, "permissions_boundary") or plan.is_unknown(instance, "permissions_boundary"):
        refs = policy_refs(model, instance, "permissions_boundary")
        if refs:
            entity.body["permissions_boundary"] = refs[0]
            entity.sources[("permissions_boundary",)] = plan.locate(instance, "permissions_boundary")
    if entity.kind != "roles":
        return
    trust = model.document(instance, "assume_role_policy", what="the trust policy")
    if trust is not None:
        entity.body["trust_policy"] = trust
        entity.sources[("trust_policy",)] = plan.locate(instance, "assume_role_policy")
    duration = plan.known(instance, "max_session_duration")
    if isinstance(duration, int) and not isinstance(duration, bool) and 3600 <= duration <= 43200:
        if duration != 3600:
            entity.body["max_session_duration"] = duration
    elif duration is not None or plan.is_unknown(instance, "max_session_duration"):
        model.warn(
            f"`max_session_duration` of {instance.address} is not known as 3600 to 43200 seconds; the model "
            "keeps the default (3600)",
            plan.locate(instance, "max_session_duration"),
        )
    if plan.configured(instance, "inline_policy"):  # the deprecated exclusive block; computed when not configured
        blocks = plan.known(instance, "inline_policy")
        if not isinstance(blocks, list) and plan.is_unknown(instance, "inline_policy"):
            label = GENERATED_PREFIX + digest(f"{instance.address}.inline_policy", SUFFIX_LENGTH)
            unknown = model.marker(instance, "`inline_policy` is known only after apply")
            attach_inline(model, (entity, True), label, unknown, instance, ("inline_policy",))
        for index, block in enumerate(blocks if isinstance(blocks, list) else []):
            if not isinstance(block, dict) or (block.get("name") == "" and block.get("policy") == ""):
                continue
            name = block.get("name") if isinstance(block.get("name"), str) and block["name"] else None
            name = name or GENERATED_PREFIX + digest(f"{instance.address}.inline_policy[{index}]", SUFFIX_LENGTH)
            document = _block_document(model, instance, index)
            attach_inline(model, (entity, True), name, document, instance, ("inline_policy", index))
    if plan.configured(instance, "managed_policy_arns"):
        for ref in policy_refs(model, instance, "managed_policy_arns"):
            attach_managed(model, (entity, True), ref, instance)


def _block_document(model: Model, instance: Instance, index: int) -> dict[str, Any] | None:
    plan = model.plan
    text = plan.known(instance, "inline_policy", index, "policy")
    if plan.is_unknown(instance, "inline_policy", index, "policy") or (
        text is None and plan.is_unknown(instance, "inline_policy")
    ):
        return model.marker(instance, f"inline policy #{index + 1}: `policy` is known only after apply")
    return model.as_model(
        parse_document(text, f"{plan.file}: {instance.address}.inline_policy"),
        instance,
        "inline_policy",
        what="the inline policy",
    )


def tags(model: Model, instance: Instance) -> dict[str, str]:
    """The tags AWS will hold (`tags_all`, with the provider's default tags, when known); unknown values left out."""
    plan = model.plan
    attribute = "tags_all" if isinstance(plan.known(instance, "tags_all"), dict) else "tags"
    found = plan.known(instance, attribute)
    out: dict[str, str] = {}
    if isinstance(found, dict):
        out = {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}
    unknown = instance.unknown.get(attribute) if isinstance(instance.unknown, dict) else None
    lost = sorted(k for k, v in unknown.items() if v is True) if isinstance(unknown, dict) else []
    if unknown is True and plan.configured(instance, "tags"):
        lost = ["(all)"]
    if lost:
        model.warn(
            f"tags {', '.join(f'`{k}`' for k in lost)} of {instance.address} are known only after apply; "
            "left out of the model",
            plan.locate(instance, attribute),
        )
    return out


def ref_of_arn(model: Model, instance: Instance, arn: str) -> Any:
    """A policy reference for the model: an AWS managed ARN, a plan policy's name, or an unknown (outside the plan)."""
    if _AWS_MANAGED.fullmatch(arn):
        return arn
    found = _CUSTOMER.fullmatch(arn)
    if found is not None:
        entity = model.named.get(("policies", found.group(2)))
        if entity is not None and found.group(1) == model.account(instance):
            return entity.key
    return model.marker(instance, f"customer managed policy `{arn}` is not in the plan: its document is unknown")


def policy_refs(model: Model, instance: Instance, attribute: str) -> list[Any]:
    """The policy references an ARN attribute (one ARN, or a list) holds; unknown ARNs found through references."""
    plan = model.plan
    value = plan.known(instance, attribute)
    values = value if isinstance(value, list) else [value]
    refs = [ref_of_arn(model, instance, v) for v in values if isinstance(v, str) and v]
    missing = sum(1 for v in values if v is None) if isinstance(value, list) else int(value is None)
    if not plan.is_unknown(instance, attribute) and not any(
        plan.is_unknown(instance, attribute, i) for i in range(len(values))
    ):
        return refs
    followed = plan.follow(instance, attribute)
    linked: list[Any] = []
    for candidates in followed.targets:
        entities = [model.entities.get(t.instance.address) for t in candidates if t.exact]
        entity = entities[0] if len(entities) == 1 and len(candidates) == 1 else None
        if (
            entity is not None
            and entity.kind == "policies"
            and not isinstance(plan.known(candidates[0].instance, "arn"), str)
        ):
            linked.append(entity.key)
    if followed.others or len(linked) != missing or (not isinstance(value, list) and missing != 1):
        names = followed.names()
        depends = f" (it depends on {', '.join(names)})" if names else ""
        return [*refs, model.marker(instance, f"`{attribute}` is known only after apply{depends}")]
    return [*refs, *linked]


def external(model: Model, kind: str, name: str, instance: Instance) -> Entity:
    """An entity the plan names but does not manage: what the plan attaches to it, and an unknown for the rest."""
    found = model.named.get((kind, name))
    if found is not None:
        return found
    entity = Entity(kind, name, model.iam_arn(SINGULAR[kind], instance, name, "/"), model.plan.locate(instance))
    why = model.marker(
        instance, f"{SINGULAR[kind]} `{name}` is not managed by this plan: its other policies are unknown"
    )
    entity.body["managed_policies"] = [why]
    if kind == "roles":
        entity.body["trust_policy"] = model.marker(
            instance, f"role `{name}` is not managed by this plan: its trust policy is unknown"
        )
    model.add(entity, None)
    model.absent(
        "users, groups and roles the plan names but does not manage: their own policies (each is imported "
        "with what the plan attaches to it and an unknown for the rest; its path is taken as `/`)"
    )
    return entity


def holders(model: Model, instance: Instance, attribute: str, kind: str) -> list[Holder]:
    """The users, groups or roles an attribute names (one name, or a list), followed through references if unknown."""
    plan = model.plan
    value = plan.known(instance, attribute)
    values = value if isinstance(value, list) else [value]
    out: list[Holder] = []
    for item in values:
        if isinstance(item, str) and item:
            name = item.rsplit("/", 1)[-1] if item.startswith("arn:") else item
            out.append((model.named.get((kind, name)) or external(model, kind, name, instance), True))
    unknown = plan.is_unknown(instance, attribute) or any(
        plan.is_unknown(instance, attribute, i) for i in range(len(values))
    )
    if not unknown:
        return out
    followed = plan.follow(instance, attribute)
    linked: list[Holder] = []
    for candidates in followed.targets:
        entities = [
            (model.entities.get(t.instance.address), t.exact and len(candidates) == 1)
            for t in candidates
            if t.instance.type == TYPE_OF[kind]
        ]
        linked += [(e, certain) for e, certain in entities if e is not None and e.kind == kind]
    if followed.others or not linked:
        model.warn(
            f"the {SINGULAR[kind]} {instance.address} applies to is known only after apply and its reference "
            "cannot be followed; left out of the model",
            plan.locate(instance, attribute),
        )
    seen = {id(e) for e, _ in out}
    return out + [(e, c) for e, c in linked if id(e) not in seen]


def attach_inline(
    model: Model, holder: Holder, name: str, document: Any, instance: Instance, where: tuple[str | int, ...]
) -> None:
    """Put an inline policy on its holder (an unknown in its place when the holder is not certain)."""
    entity, certain = holder
    policies = entity.body.setdefault("inline_policies", {})
    if not certain:
        document = model.marker(
            instance,
            f"{instance.address} may be attached here: the plan cannot tell to which "
            f"instance of {SINGULAR[entity.kind]}s it is attached",
        )
    if document is None:
        return
    if name in policies and policies[name] != document:
        model.warn(
            f"{instance.address} sets inline policy `{name}` of {entity.key}, which another resource of the "
            "plan also sets; the later one is imported",
            model.plan.locate(instance),
        )
    policies[name] = document
    entity.sources[("inline_policies", name)] = model.plan.locate(instance, *where)


def attach_managed(model: Model, holder: Holder, ref: Any, instance: Instance) -> None:
    """Attach a managed policy reference to its holder (an unknown in its place when the holder is not certain)."""
    entity, certain = holder
    attached = entity.body.setdefault("managed_policies", [])
    if not certain:
        ref = model.marker(
            instance,
            f"{instance.address} may attach a policy here: the plan cannot tell to which "
            f"instance of {SINGULAR[entity.kind]}s",
        )
    if ref not in attached:
        attached.append(ref)


def _inline(model: Model, instance: Instance) -> None:
    attribute, kind = INLINE[instance.type]
    name, _ = model.name(instance)
    document = model.document(instance, "policy", what="the inline policy")
    for holder in holders(model, instance, attribute, kind):
        attach_inline(model, holder, name, document, instance, ("policy",))


def _attachment(model: Model, instance: Instance) -> None:
    if instance.type == "aws_iam_policy_attachment":  # exclusive across the account: users, roles and groups lists
        targets = [(a, k) for a, k in (("users", "users"), ("roles", "roles"), ("groups", "groups"))]
        refs = policy_refs(model, instance, "policy_arn")
    elif instance.type in EXCLUSIVE_ATTACHMENTS:
        targets = [EXCLUSIVE_ATTACHMENTS[instance.type]]
        refs = policy_refs(model, instance, "policy_arns")
    else:
        targets = [ATTACHMENTS[instance.type]]
        refs = policy_refs(model, instance, "policy_arn")
    for attribute, kind in targets:
        for holder in holders(model, instance, attribute, kind):
            for ref in refs:
                attach_managed(model, holder, ref, instance)


def _membership(model: Model, instance: Instance) -> None:
    plan = model.plan
    if instance.type == "aws_iam_user_group_membership":
        users, groups = holders(model, instance, "user", "users"), holders(model, instance, "groups", "groups")
    else:
        users, groups = holders(model, instance, "users", "users"), holders(model, instance, "group", "groups")
    for user, user_certain in users:
        joined = user.body.setdefault("groups", [])
        for group, group_certain in groups:
            if user_certain and group_certain:
                if group.key not in joined:
                    joined.append(group.key)
                continue
            attach_managed(
                model,
                (user, True),
                model.marker(instance, f"{instance.address} may add it to a group: the plan cannot tell which"),
                instance,
            )
        if not groups and (plan.is_unknown(instance, "groups") or plan.is_unknown(instance, "group")):
            attach_managed(
                model,
                (user, True),
                model.marker(instance, f"a group {instance.address} adds it to is known only after apply"),
                instance,
            )


def _exclusive_inline(model: Model, instance: Instance) -> None:
    attribute, kind = EXCLUSIVE_INLINE[instance.type]
    names = model.plan.known(instance, "policy_names")
    for entity, certain in holders(model, instance, attribute, kind):
        inline = entity.body.setdefault("inline_policies", {})
        if not isinstance(names, list) or not certain:
            model.warn(
                f"the inline policy names of {instance.address} are known only after apply",
                model.plan.locate(instance, "policy_names"),
            )
            continue
        for name in names:
            if isinstance(name, str) and name and name not in inline:
                inline[name] = model.marker(
                    instance, f"inline policy `{name}` of {entity.key} is not in the plan: its document is unknown"
                )
        for name in [n for n in inline if n not in names]:
            model.warn(
                f"{instance.address} keeps only its listed inline policies of {entity.key}; `{name}` "
                "would be removed and is left out of the model",
                model.plan.locate(instance, "policy_names"),
            )
            del inline[name]
