"""Resources with resource-based policies -> buckets and `resources:` of the stack's account.

`add_resource` enters `AWS::S3::Bucket` (a bucket), `AWS::SQS::Queue`, `AWS::SNS::Topic`,
`AWS::SecretsManager::Secret` (resources with their tags) and `AWS::KMS::Key` (with its `KeyPolicy`, or the default
key policy KMS gives a key created without one: the account may use it through IAM policies). `add_policy` then
attaches `AWS::S3::BucketPolicy`, `AWS::SQS::QueuePolicy` (queue URLs), `AWS::SNS::TopicPolicy` (topic ARNs),
`AWS::SecretsManager::ResourcePolicy` and `AWS::Lambda::Permission` (each one statement of the function's policy,
written as Lambda writes it: `AWS:SourceArn`, `AWS:SourceAccount`, `aws:PrincipalOrgID`, `lambda:FunctionUrlAuthType`
conditions).

A policy AWS would refuse to store is a warning and is left out: a statement without `Principal`, a bucket policy
naming a resource outside its bucket. A policy attached to a resource whose name is unknown makes the policy of every
resource of that kind in the account without one unknown (any of them may be the one).
"""

from __future__ import annotations

import re
from typing import Any

from policysim.errors import Location
from policysim.services.kms import default_key_policy

from .cfn_iam import tags
from .cfn_intrinsics import Condition
from .cfn_model import Model, existence, list_items
from .cfn_stack import Stack
from .cfn_values import NO_VALUE, Unknown, first_unknown, stringify, text, where
from .lambda_permission import permission_statement

DECLARED = ("AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::SecretsManager::Secret", "AWS::KMS::Key")
POLICIES = (
    "AWS::S3::BucketPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SQS::QueueInlinePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::TopicInlinePolicy",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::Lambda::Permission",
)
_QUEUE_URL = re.compile(
    r"^https?://(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue|queue)\.[a-z0-9.-]+/([0-9]{12})/([^/?#]+)$"
)
_S3_ARN = re.compile(r"^arn:[^:]*:s3:::([^/]*)")
_FUNCTION = re.compile(
    r"^(?:arn:([a-z-]+):lambda:([a-z0-9-]+):)?(?:([0-9]{12}):function:)?([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$"
)


def _props(logical_id: str) -> tuple[str, ...]:
    return ("Resources", logical_id, "Properties")


def add_resource(model: Model, stack: Stack, logical_id: str, resource_type: str) -> None:
    """Enter a bucket, queue, topic, secret or KMS key."""
    exists = existence(stack, logical_id)
    identity = stack.identity(logical_id)
    if exists is False or identity is None:
        return
    model.alias(stack, logical_id, identity.arn)
    if identity.unknown is not None:
        model.warn(
            f"the name of `{logical_id}` is unknown ({identity.unknown.reason}): it is imported as `{identity.name}`, "
            "which only references to the resource itself (Ref, Fn::GetAtt) match",
            model.logical(stack, logical_id),
        )
    found_tags = tags(model, stack, logical_id)
    if resource_type == "AWS::S3::Bucket":
        entry = model.entity(stack, "buckets", identity.name, logical_id)
        if entry is not None and found_tags:
            entry["tags"] = found_tags
        return
    assert identity.arn is not None
    entry = model.resource(stack, identity.arn, model.logical(stack, logical_id))
    if found_tags:
        entry["tags"] = found_tags
    if resource_type == "AWS::KMS::Key":
        path = (*_props(logical_id), "KeyPolicy")
        at = (*model.resource_path(stack, identity.arn), "policy")
        policy = model.document(stack, path, at, exists)
        if policy is NO_VALUE:
            policy = default_key_policy(stack.partition, stack.account)
        _set_policy(model, stack, logical_id, entry, policy, "key", identity.arn)


def _refusal(policy: Any, kind: str, arn: str) -> str | None:
    """Why AWS would refuse to store `policy` on the resource, or None."""
    if not isinstance(policy, dict) or "unknown" in policy:
        return None
    statements = policy.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            continue
        label = statement.get("Sid") or f"#{index + 1}"
        if "Principal" not in statement and "NotPrincipal" not in statement:
            return f"statement `{label}` has no Principal"
        if kind != "bucket":
            continue
        resources = statement.get("Resource", statement.get("NotResource", []))
        for resource in resources if isinstance(resources, list) else [resources]:
            if not isinstance(resource, str):
                continue
            found = _S3_ARN.match(resource)
            named = found.group(1) if found else resource  # the bucket part, or a resource of another service
            if any(char in named for char in "*?$"):
                continue  # a pattern (or a policy variable) may cover the bucket
            if found is None or named != arn.rsplit(":", 1)[1]:
                return f"statement `{label}` names resource `{resource}`, which is not in bucket `{arn}`"
    return None


def _set_policy(
    model: Model, stack: Stack, logical_id: str, entry: dict[str, Any], policy: Any, kind: str, arn: str
) -> None:
    refused = _refusal(policy, kind, arn)
    if refused is not None:
        model.warn(
            f"the {kind} policy of `{arn}` (`{logical_id}`) is left out: {refused}, so AWS would refuse it",
            model.logical(stack, logical_id),
        )
        return
    if "policy" in entry and entry["policy"] != policy:
        model.warn(f"`{logical_id}` replaces the {kind} policy of `{arn}`", model.logical(stack, logical_id))
    entry["policy"] = policy


def _unknown_target(model: Model, stack: Stack, logical_id: str, kind: str, missing: Unknown) -> None:
    reason = f"the {kind} policy `{logical_id}` applies to a {kind} whose name is unknown: {missing.reason}"
    marker = Unknown(reason, missing.source).marker()
    account = model.account(stack)
    if kind == "bucket":
        for bucket in account.get("buckets", {}).values():
            bucket.setdefault("policy", marker)
        return
    service = {"queue": ":sqs:", "topic": ":sns:", "secret": ":secretsmanager:", "function": ":lambda:"}[kind]
    for resource in account.get("resources", []):
        if service in resource["arn"]:
            resource.setdefault("policy", marker)


def add_policy(model: Model, stack: Stack, logical_id: str, resource_type: str) -> None:
    """Attach a bucket, queue, topic or secret policy, or a Lambda permission, to its resources."""
    exists = existence(stack, logical_id)
    if exists is False:
        return
    props = _props(logical_id)
    if resource_type == "AWS::Lambda::Permission":
        _permission(model, stack, logical_id, exists)
        return
    # "The AWS::SQS::QueueInlinePolicy resource associates one Amazon SQS queue with one policy" (and the SNS one
    # a topic): the same policy as QueuePolicy / TopicPolicy, for one target
    kind, target, doc_key, many = {
        "AWS::S3::BucketPolicy": ("bucket", "Bucket", "PolicyDocument", False),
        "AWS::SQS::QueuePolicy": ("queue", "Queues", "PolicyDocument", True),
        "AWS::SQS::QueueInlinePolicy": ("queue", "Queue", "PolicyDocument", False),
        "AWS::SNS::TopicPolicy": ("topic", "Topics", "PolicyDocument", True),
        "AWS::SNS::TopicInlinePolicy": ("topic", "TopicArn", "PolicyDocument", False),
        "AWS::SecretsManager::ResourcePolicy": ("secret", "SecretId", "ResourcePolicy", False),
    }[resource_type]
    found = list_items(stack, (*props, target)) if many else [((*props, target), stack.prop(logical_id, target))]
    if isinstance(found, Unknown):
        _unknown_target(model, stack, logical_id, kind, found)
        return
    for at, value in found:
        if isinstance(value, Unknown):
            _unknown_target(model, stack, logical_id, kind, value)
            continue
        arn = _target_arn(model, stack, kind, value, stack.doc.locate(at))
        if arn is None:
            continue
        if kind == "bucket":
            name = arn.rsplit(":", 1)[1]
            entry = model.find(stack, "buckets", name)
            if entry is None:
                entry = model.entity(stack, "buckets", name, logical_id)
            base: tuple[Any, ...] = ("accounts", stack.account, "buckets", name, "policy")
        else:
            entry = model.resource(stack, arn, model.logical(stack, logical_id))
            base = (*model.resource_path(stack, arn), "policy")
        if entry is None:
            continue
        policy = model.document(stack, (*props, doc_key), base, exists)
        if policy is not NO_VALUE:
            _set_policy(model, stack, logical_id, entry, policy, kind, arn)


def _target_arn(model: Model, stack: Stack, kind: str, value: Any, at: Location) -> str | None:
    """The ARN a policy's target names (a bucket name, a queue URL, a topic ARN, a secret ARN or name)."""
    name = text(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    arn: str | None = None
    if kind == "bucket" and name:
        arn = name if name.startswith("arn:") else f"arn:{stack.partition}:s3:::{name}"
    elif kind == "queue":
        match = _QUEUE_URL.match(name)
        if match:
            region = match.group(1) or match.group(2) or "us-east-1"
            arn = f"arn:{stack.partition}:sqs:{region}:{match.group(3)}:{match.group(4)}"
    elif kind == "topic" and name.startswith("arn:"):
        arn = name
    elif kind == "secret" and name:
        arn = name if name.startswith("arn:") else _secret_by_name(stack, name)
    if arn is None:
        model.warn(f"`{name or value}` does not name a {kind} policysim can place: its policy is left out", at)
        return None
    parts = arn.split(":")
    if kind != "bucket" and len(parts) > 4 and parts[4] != stack.account:
        model.warn(f"{kind} `{arn}` is in account {parts[4]}, not in the stack's: its policy is left out", at)
        return None
    return arn


def _secret_by_name(stack: Stack, name: str) -> str | None:
    for logical_id in stack.resources:
        if stack.type_of(logical_id) == "AWS::SecretsManager::Secret":
            identity = stack.identity(logical_id)
            if identity is not None and identity.name == name:
                return identity.arn
    return None


def _permission(model: Model, stack: Stack, logical_id: str, exists: Condition) -> None:
    props = _props(logical_id)
    function = stack.prop(logical_id, "FunctionName")
    if isinstance(function, Unknown):
        _unknown_target(model, stack, logical_id, "function", function)
        return
    match = _FUNCTION.match(text(function)) if isinstance(function, str) else None
    if match is None:
        model.warn(
            f"`{function}` does not name a Lambda function: the permission is left out",
            stack.doc.locate((*props, "FunctionName")),
        )
        return
    account = match.group(3) or stack.account
    region = match.group(2) or stack.region
    if account != stack.account:
        model.warn(
            f"function `{function}` is in account {account}: the permission is left out",
            model.logical(stack, logical_id),
        )
        return
    arn = f"arn:{stack.partition}:lambda:{region}:{account}:function:{match.group(4)}"
    resource = arn + (f":{match.group(5)}" if match.group(5) else "")
    entry = model.resource(stack, arn, model.logical(stack, logical_id))
    at = (*model.resource_path(stack, arn), "policy")
    statement = _permission_statement(stack, logical_id, resource)
    if statement["Action"] is NO_VALUE or statement["Principal"] is NO_VALUE:
        model.warn("the permission names no Action or Principal: it is left out", model.logical(stack, logical_id))
        return
    missing = exists if isinstance(exists, Unknown) else first_unknown(statement)
    current = entry.get("policy")
    if missing is not None or (isinstance(current, dict) and "unknown" in current):
        if missing is not None:
            entry["policy"] = missing.marker()
            model.imported.sources[at] = model.logical(stack, logical_id)
        return
    if current is None:
        current = entry["policy"] = {"Version": "2012-10-17", "Id": "default", "Statement": []}
        model.imported.sources[at] = model.logical(stack, logical_id)
    current["Statement"].append(stringify(statement))


def _permission_statement(stack: Stack, logical_id: str, resource: str) -> dict[str, Any]:
    principal = stack.prop(logical_id, "Principal")
    if isinstance(principal, str) and re.fullmatch(r"[0-9]{12}", principal):
        who: Any = {"AWS": f"arn:{stack.partition}:iam::{principal}:root"}
    elif isinstance(principal, str) and principal.startswith("arn:"):
        who = {"AWS": principal}
    elif principal == "*":
        who = "*"
    elif isinstance(principal, str):
        who = {"Service": principal}
    elif principal is NO_VALUE:
        who = NO_VALUE
    else:
        who = (
            principal
            if isinstance(principal, Unknown)
            else Unknown("the permission's Principal", where(stack.doc.locate((*_props(logical_id), "Principal"))))
        )

    def value(prop: str, attribute: str) -> Any | None:
        found = stack.prop(logical_id, prop)
        return None if found is NO_VALUE else found

    return permission_statement(logical_id, who, stack.prop(logical_id, "Action"), resource, value)
