"""The resources of a plan that carry resource-based policies: S3 buckets, KMS keys, SQS queues, SNS topics, Secrets
Manager secrets and Lambda functions (their policy is the statements of the plan's `aws_lambda_permission`s).

A policy AWS would refuse to store (a statement without a principal; a bucket policy whose `Resource` lies outside
its bucket) is a warning and is not part of the model. A KMS key created without `policy` has AWS's default key
policy (the account may use IAM policies to allow access to the key).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from policysim.identifiers import is_account_id
from policysim.imports.lambda_permission import permission_statement
from policysim.imports.terraform_iam import Holder, tags
from policysim.imports.terraform_model import Entity, Model, digest, uuid_of
from policysim.imports.terraform_plan import Instance
from policysim.imports.terraform_policy import refusals
from policysim.services.kms import default_key_policy

POLICY_RESOURCES = {
    "aws_s3_bucket_policy": ("bucket", "aws_s3_bucket", "name:"),
    "aws_kms_key_policy": ("key_id", "aws_kms_key", "key:"),
    "aws_sqs_queue_policy": ("queue_url", "aws_sqs_queue", "url:"),
    "aws_sns_topic_policy": ("arn", "aws_sns_topic", "arn:"),
    "aws_secretsmanager_secret_policy": ("secret_arn", "aws_secretsmanager_secret", "arn:"),
}
OWNERS = (
    "aws_s3_bucket",
    "aws_kms_key",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_secretsmanager_secret",
    "aws_lambda_function",
)
TYPES = frozenset({*OWNERS, *POLICY_RESOURCES, "aws_lambda_permission"})
_QUEUE_URL = re.compile(
    r"https://(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?/([0-9]{12})/([A-Za-z0-9_.-]+)"
)
_LAMBDA_FIELDS = (
    "action",
    "principal",
    "source_arn",
    "source_account",
    "principal_org_id",
    "qualifier",
    "event_source_token",
    "function_url_auth_type",
    "function_name",
)


def read_resources(model: Model) -> None:
    """The resources with resource policies, then the policies set on them."""
    plan = model.plan
    for instance in plan.of_type(*OWNERS):
        _owner(model, instance)
    for instance in plan.of_type(*OWNERS):
        entity = model.entities.get(instance.address)
        if entity is not None and entity.address == instance.address:
            _own_policy(model, instance, entity)
    for instance in plan.of_type(*POLICY_RESOURCES):
        attribute = POLICY_RESOURCES[instance.type][0]
        document = model.document(instance, "policy", what="the resource policy")
        for holder in _holders(model, instance, attribute):
            set_policy(model, holder, document, instance)
    _lambda_permissions(model)
    for entity in model.named.values():
        if entity.extra.get("default key policy") and "policy" not in entity.body:
            entity.body["policy"] = default_key_policy(model.partition, entity.arn.split(":")[4])
            entity.sources[("policy",)] = entity.location
    if any(e.extra.get("type") == "aws_sns_topic" and "policy" not in e.body for e in model.named.values()):
        model.absent(
            "the default access policy AWS gives an SNS topic created without one (left out: it only "
            "allows the owner account, through `AWS:SourceOwner`)"
        )


def _owner(model: Model, instance: Instance) -> None:
    plan = model.plan
    type_ = instance.type
    if type_ == "aws_s3_bucket":
        name, symbolic = model.name(instance, "bucket", "bucket_prefix")
        model.account(instance)
        entity = Entity(
            "buckets", name, f"arn:{model.partition}:s3:::{name}", plan.locate(instance), instance.address, symbolic
        )
        entity.extra["name:"] = name
    else:
        entity = _regional(model, instance)
    entity.extra["type"] = type_
    if type_ != "aws_kms_key":
        entity.body["tags"] = tags(model, instance)
    added = model.add(entity, instance)
    if added is entity:
        for prefix in ("name:", "url:", "key:"):
            if prefix in entity.extra:
                model.index[prefix + str(entity.extra[prefix])] = entity
        model.index["arn:" + entity.arn] = entity


def _regional(model: Model, instance: Instance) -> Entity:
    """A KMS key, queue, topic, secret or function: its ARN, known or formed (symbolically where generated)."""
    plan, type_ = model.plan, instance.type
    account, partition = model.account(instance), model.partition
    extra: dict[str, Any] = {}

    def arn_from(make: Callable[[str], str]) -> tuple[str, bool]:
        known = plan.known(instance, "arn")
        if isinstance(known, str) and known.count(":") >= 5 and known.split(":")[4] == account:
            return known, False
        model.check_arn_account(instance, "")
        return make(model.region(instance)), True

    if type_ == "aws_kms_key":
        key_id = plan.known(instance, "key_id")
        symbolic_id = (
            ("mrk-" + digest(instance.address, 32))
            if plan.known(instance, "multi_region")
            else uuid_of(instance.address)
        )
        arn, symbolic = arn_from(lambda r: f"arn:{partition}:kms:{r}:{account}:key/{key_id or symbolic_id}")
        extra["key:"] = key_id if isinstance(key_id, str) else arn.rsplit("/", 1)[-1]
    elif type_ == "aws_lambda_function":
        name, symbolic = model.name(instance, "function_name", "")
        arn, generated = arn_from(lambda r: f"arn:{partition}:lambda:{r}:{account}:function:{name}")
        extra["function:"] = name
    else:
        name, symbolic = model.name(instance)
        fifo = plan.known(instance, "fifo_queue" if type_ == "aws_sqs_queue" else "fifo_topic")
        if symbolic and fifo is True and not name.endswith(".fifo"):
            name = name[: 80 - 5] + ".fifo"
        service = {"aws_sqs_queue": "sqs", "aws_sns_topic": "sns", "aws_secretsmanager_secret": "secretsmanager"}[type_]
        resource = f"secret:{name}-{digest(instance.address, 6)}" if service == "secretsmanager" else name
        arn, generated = arn_from(lambda r: f"arn:{partition}:{service}:{r}:{account}:{resource}")
        url = plan.known(instance, "url") or plan.known(instance, "id")
        if type_ == "aws_sqs_queue" and isinstance(url, str):
            extra["url:"] = url
        symbolic = symbolic or (generated and service == "secretsmanager")
    entity = Entity("resources", arn, arn, plan.locate(instance), instance.address, symbolic)
    entity.extra.update(extra)
    return entity


def _own_policy(model: Model, instance: Instance, entity: Entity) -> None:
    plan = model.plan
    if instance.type == "aws_lambda_function":
        return
    configured = plan.configured(instance, "policy")
    if instance.type == "aws_kms_key" and not configured:
        known = plan.known(instance, "policy")
        if isinstance(known, str) and known:  # an existing key: the policy it has
            set_policy(model, (entity, True), model.document(instance, "policy", what="the key policy"), instance)
        else:
            entity.extra["default key policy"] = True  # unless an aws_kms_key_policy sets one
    elif configured:
        set_policy(model, (entity, True), model.document(instance, "policy", what="the resource policy"), instance)


def _holders(model: Model, instance: Instance, attribute: str) -> list[Holder]:
    """The resource a policy resource sets its policy on: by its known name, URL, key id or ARN, or by reference."""
    plan = model.plan
    _, owner_type, prefix = POLICY_RESOURCES[instance.type]
    value = plan.known(instance, attribute)
    if isinstance(value, str) and value:
        found = model.index.get(prefix + value) or model.index.get("arn:" + value)
        if found is not None:
            return [(found, True)]
        outside = _outside(model, instance, owner_type, value)
        return [(outside, True)] if outside is not None else []
    if not plan.is_unknown(instance, attribute):
        return []
    followed = plan.follow(instance, attribute)
    single = followed.single or []
    linked = [
        (model.entities.get(t.instance.address), t.exact and len(single) == 1)
        for t in single
        if t.instance.type == owner_type
    ]
    found_holders = [(e, certain) for e, certain in linked if e is not None]
    if not found_holders:
        model.warn(
            f"the resource {instance.address} sets its policy on is known only after apply and its reference "
            "cannot be followed; left out of the model",
            plan.locate(instance, attribute),
        )
    return found_holders


def _outside(model: Model, instance: Instance, owner_type: str, value: str) -> Entity | None:
    """A resource the plan sets a policy on but does not create."""
    account, partition = model.account(instance), model.partition
    if owner_type == "aws_s3_bucket":
        entity = Entity("buckets", value, f"arn:{partition}:s3:::{value}", model.plan.locate(instance))
    else:
        arn = value if value.startswith("arn:") else None
        if owner_type == "aws_kms_key" and arn is None:
            arn = f"arn:{partition}:kms:{model.region(instance)}:{account}:key/{value}"
        elif owner_type == "aws_sqs_queue":
            found = _QUEUE_URL.fullmatch(value)
            if found is not None:
                region = found.group(1) or found.group(2)
                arn = f"arn:{partition}:sqs:{region}:{found.group(3)}:{found.group(4)}"
        if arn is None or arn.count(":") < 5 or arn.split(":")[4] != account:
            model.warn(
                f"{instance.address} sets a policy on a resource of another account, or one it does not name "
                "by ARN; left out of the model",
                model.plan.locate(instance),
            )
            return None
        entity = Entity("resources", arn, arn, model.plan.locate(instance))
    model.absent("resources the plan sets policies on but does not create: their tags")
    added = model.add(entity, None)
    model.index["arn:" + added.arn] = added
    return added


def set_policy(model: Model, holder: Holder, document: dict[str, Any] | None, instance: Instance) -> None:
    """Set a resource's policy, unless AWS would refuse it (then a warning); an unknown when the holder is unsure."""
    entity, certain = holder
    if document is None:
        return
    if not certain:
        document = model.marker(
            instance, f"{instance.address} may set this policy: the plan cannot tell on which instance"
        )
    elif "unknown" not in document:
        problems = refusals(document, entity.arn if entity.kind == "buckets" else None)
        if problems:
            model.warn(
                f"AWS would refuse the policy {instance.address} sets on {entity.key} ({'; '.join(problems)}); "
                "left out of the model",
                model.plan.locate(instance, "policy"),
            )
            if entity.address is not None:
                return  # a resource of the plan: it has no other policy
            document = model.marker(
                instance,
                "AWS would refuse the policy the plan sets, so the resource keeps a policy the plan does not show",
            )
    previous = entity.body.get("policy")
    if previous is not None and previous != document:
        model.warn(
            f"{instance.address} sets the policy of {entity.key}, which another resource of the plan sets too; "
            "the later one is imported",
            model.plan.locate(instance, "policy"),
        )
    entity.body["policy"] = document
    entity.sources[("policy",)] = model.plan.locate(instance, "policy")


def _lambda_permissions(model: Model) -> None:
    """Each function's policy: one statement per `aws_lambda_permission` (per qualifier, a policy of its own)."""
    plan = model.plan
    policies: dict[str, tuple[Entity, list[Any], Instance]] = {}
    for instance in plan.of_type("aws_lambda_permission"):
        for function, certain in _functions(model, instance):
            qualifier = plan.known(instance, "qualifier")
            arn = f"{function.arn}:{qualifier}" if isinstance(qualifier, str) and qualifier else function.arn
            if arn != function.arn and ("resources", arn) not in model.named:
                model.add(Entity("resources", arn, arn, plan.locate(instance)), None)
            entity = model.named[("resources", arn)]
            _, statements, _ = policies.setdefault(arn, (entity, [], instance))
            unknown = [a for a in _LAMBDA_FIELDS if plan.is_unknown(instance, a)]
            if unknown or not certain:
                why = (
                    f"`{unknown[0]}` of {instance.address} is known only after apply"
                    if unknown
                    else (f"{instance.address} may be one of its statements: the plan cannot tell which function")
                )
                statements.append(model.marker(instance, f"the function policy: {why}"))
            else:
                statements.append(_permission(model, instance, arn))
    for entity, statements, instance in policies.values():
        marker = next((s for s in statements if "unknown" in s), None)
        document = marker or {"Version": "2012-10-17", "Id": "default", "Statement": statements}
        entity.body["policy"] = document
        entity.sources[("policy",)] = plan.locate(instance)


def _functions(model: Model, instance: Instance) -> list[Holder]:
    plan = model.plan
    value = plan.known(instance, "function_name")
    if isinstance(value, str) and value:
        name = value.split(":function:", 1)[1].split(":")[0] if ":function:" in value else value
        found = next((e for e in model.named.values() if e.extra.get("function:") == name), None)
        if found is not None:
            return [(found, True)]
        arn = (
            value
            if value.startswith("arn:")
            else (f"arn:{model.partition}:lambda:{model.region(instance)}:{model.account(instance)}:function:{name}")
        )
        outside = model.named.get(("resources", arn)) or model.add(
            Entity("resources", arn, arn, plan.locate(instance)), None
        )
        model.absent("resources the plan sets policies on but does not create: their tags")
        return [(outside, True)]
    followed = plan.follow(instance, "function_name")
    single = followed.single or []
    found_holders = [
        (model.entities[t.instance.address], t.exact and len(single) == 1)
        for t in single
        if t.instance.type == "aws_lambda_function" and t.instance.address in model.entities
    ]
    if not found_holders:
        model.warn(
            f"the function {instance.address} applies to is known only after apply and its reference cannot "
            "be followed; left out of the model",
            plan.locate(instance, "function_name"),
        )
    return found_holders


def _permission(model: Model, instance: Instance, arn: str) -> dict[str, Any]:
    """The statement Lambda's AddPermission writes for one permission."""
    plan = model.plan
    principal = str(plan.known(instance, "principal") or "")
    if principal == "*":
        who: Any = "*"
    elif is_account_id(principal):
        who = {"AWS": f"arn:{model.partition}:iam::{principal}:root"}
    elif principal.startswith("arn:"):
        who = {"AWS": principal}
    else:
        who = {"Service": principal}
    sid = plan.known(instance, "statement_id")
    if not isinstance(sid, str) or not sid:
        prefix = plan.known(instance, "statement_id_prefix")
        sid = (prefix if isinstance(prefix, str) else "terraform-") + digest(instance.address, 26)

    def value(prop: str, attribute: str) -> str | None:
        found = plan.known(instance, attribute)
        return found if isinstance(found, str) and found else None

    action = plan.known(instance, "action") or "lambda:InvokeFunction"
    return permission_statement(sid, who, action, arn, value)
