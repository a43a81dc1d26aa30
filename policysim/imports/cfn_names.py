"""Physical names, ARNs and attributes of a template's resources: what `Ref` and `Fn::GetAtt` of them return.

A resource whose name property is given (`RoleName`, `BucketName`, ...) has that name. One without it gets the
name CloudFormation would generate, formed the way CloudFormation forms it -- `STACK-LogicalId-SUFFIX`
(lowercase for buckets and repositories, `.fifo` kept for FIFO queues and topics, cut to the service's length) --
with a SUFFIX derived from the account, Region, stack and logical id instead of a random one. It is a symbolic
identity: `Ref`, `Fn::GetAtt ... .Arn` and `${Res.Arn}` anywhere in the imported stacks evaluate to that same name
and ARN, so a bucket policy naming `!GetAtt AppRole.Arn` matches the sessions of the role imported under that ARN,
and a pattern on the stack's prefix (`role/app-*`) matches as it would in AWS; only the suffix is not AWS's. A name
property that evaluates to an unknown gets the symbolic name too (`Identity.unknown` says why). Ids AWS generates
(a KMS key id, a role id, a secret's suffix, organization ids) are formed the same way. Attributes not listed here
are unknown.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from policysim.digest import sha256
from policysim.identifiers import unique_id

from .cfn_values import NO_VALUE, Unknown, text


class Naming(Protocol):
    """What names are formed from: a stack's environment and its resources' evaluated properties."""

    account: str
    region: str
    partition: str
    url_suffix: str
    label: str  # the stack name (or a stand-in) of generated names

    def prop(self, logical_id: str, name: str) -> Any:
        """A resource's evaluated property (NO_VALUE when absent)."""


@dataclass(frozen=True)
class Kind:
    """How one resource type is named: its name property, the name's limits, and its Ref, ARN and attributes."""

    name_property: str | None
    max_length: int = 64
    ref: str = "{name}"
    arn: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    lower: bool = False
    fifo: str | None = None  # the property that makes the name end in `.fifo`
    has_path: bool = False


_IAM = "arn:{partition}:iam::{account}:"
_REGIONAL = "arn:{partition}:{service}:{region}:{account}:"

KINDS: dict[str, Kind] = {
    "AWS::IAM::Role": Kind(
        "RoleName", 64, arn=_IAM + "role{path}{name}", attributes={"Arn": "{arn}", "RoleId": "{role_id}"}, has_path=True
    ),
    "AWS::IAM::User": Kind("UserName", 64, arn=_IAM + "user{path}{name}", attributes={"Arn": "{arn}"}, has_path=True),
    "AWS::IAM::Group": Kind(
        "GroupName", 128, arn=_IAM + "group{path}{name}", attributes={"Arn": "{arn}"}, has_path=True
    ),
    "AWS::IAM::ManagedPolicy": Kind(
        "ManagedPolicyName",
        128,
        ref="{arn}",
        arn=_IAM + "policy{path}{name}",
        attributes={"PolicyArn": "{arn}"},
        has_path=True,
    ),
    "AWS::IAM::InstanceProfile": Kind(
        "InstanceProfileName",
        128,
        arn=_IAM + "instance-profile{path}{name}",
        attributes={"Arn": "{arn}"},
        has_path=True,
    ),
    "AWS::S3::Bucket": Kind(
        "BucketName",
        63,
        arn="arn:{partition}:s3:::{name}",
        attributes={
            "Arn": "{arn}",
            "DomainName": "{name}.s3.{url_suffix}",
            "RegionalDomainName": "{name}.s3.{region}.{url_suffix}",
            "DualStackDomainName": "{name}.s3.dualstack.{region}.{url_suffix}",
            "WebsiteURL": "http://{name}.s3-website-{region}.{url_suffix}",
        },
        lower=True,
    ),
    "AWS::SQS::Queue": Kind(
        "QueueName",
        80,
        ref="https://sqs.{region}.{url_suffix}/{account}/{name}",
        arn=_REGIONAL.replace("{service}", "sqs") + "{name}",
        attributes={
            "Arn": "{arn}",
            "QueueName": "{name}",
            "QueueUrl": "https://sqs.{region}.{url_suffix}/{account}/{name}",
        },
        fifo="FifoQueue",
    ),
    "AWS::SNS::Topic": Kind(
        "TopicName",
        256,
        ref="{arn}",
        arn=_REGIONAL.replace("{service}", "sns") + "{name}",
        attributes={"TopicArn": "{arn}", "TopicName": "{name}"},
        fifo="FifoTopic",
    ),
    "AWS::KMS::Key": Kind(
        None,
        ref="{key_id}",
        arn=_REGIONAL.replace("{service}", "kms") + "key/{key_id}",
        attributes={"Arn": "{arn}", "KeyId": "{key_id}"},
    ),
    "AWS::KMS::Alias": Kind("AliasName", 256),
    "AWS::Lambda::Function": Kind(
        "FunctionName",
        64,
        arn=_REGIONAL.replace("{service}", "lambda") + "function:{name}",
        attributes={"Arn": "{arn}"},
    ),
    "AWS::SecretsManager::Secret": Kind(
        "Name",
        512,
        ref="{arn}",
        arn=_REGIONAL.replace("{service}", "secretsmanager") + "secret:{name}-{secret_suffix}",
        attributes={"Id": "{arn}"},
    ),
    "AWS::DynamoDB::Table": Kind(
        "TableName", 255, arn=_REGIONAL.replace("{service}", "dynamodb") + "table/{name}", attributes={"Arn": "{arn}"}
    ),
    "AWS::Kinesis::Stream": Kind(
        "Name", 128, arn=_REGIONAL.replace("{service}", "kinesis") + "stream/{name}", attributes={"Arn": "{arn}"}
    ),
    "AWS::Logs::LogGroup": Kind(
        "LogGroupName",
        512,
        arn=_REGIONAL.replace("{service}", "logs") + "log-group:{name}:*",
        attributes={"Arn": "{arn}"},
    ),
    "AWS::ECR::Repository": Kind(
        "RepositoryName",
        256,
        arn=_REGIONAL.replace("{service}", "ecr") + "repository/{name}",
        attributes={"Arn": "{arn}"},
        lower=True,
    ),
    "AWS::StepFunctions::StateMachine": Kind(
        "StateMachineName",
        80,
        ref="{arn}",
        arn=_REGIONAL.replace("{service}", "states") + "stateMachine:{name}",
        attributes={"Arn": "{arn}", "Name": "{name}"},
    ),
    "AWS::Events::EventBus": Kind(
        "Name", 256, arn=_REGIONAL.replace("{service}", "events") + "event-bus/{name}", attributes={"Arn": "{arn}"}
    ),
    "AWS::SSM::Parameter": Kind("Name", 1011, arn=_REGIONAL.replace("{service}", "ssm") + "parameter/{bare_name}"),
    "AWS::Organizations::Organization": Kind(
        None,
        ref="{org_id}",
        attributes={
            "Id": "{org_id}",
            "Arn": "arn:{partition}:organizations::{account}:organization/{org_id}",
            "RootId": "{root_id}",
            "ManagementAccountId": "{account}",
            "ManagementAccountArn": "arn:{partition}:organizations::{account}:account/{org_id}/{account}",
        },
    ),
    "AWS::Organizations::OrganizationalUnit": Kind(None, ref="{ou_id}", attributes={"Id": "{ou_id}"}),
    "AWS::Organizations::Policy": Kind(None, ref="{policy_id}", attributes={"Id": "{policy_id}"}),
}


def _digest(*parts: str) -> bytes:
    return sha256("\x00".join(parts).encode()).digest()


def _suffix(seed: bytes, length: int) -> str:
    return base64.b32encode(seed).decode()[:length]


def generated_name(kind: Kind, label: str, logical_id: str, seed: bytes, fifo: bool) -> str:
    """The name CloudFormation would generate, `LABEL-LogicalId-SUFFIX`, cut to the kind's length."""
    suffix = _suffix(seed, 12)
    tail = ".fifo" if fifo else ""
    room = kind.max_length - len(suffix) - len(tail) - 2
    stack, logical = label, logical_id
    if len(stack) + len(logical) > room:
        stack = stack[: max(room - len(logical), room // 2)]
        logical = logical[: room - len(stack)]
    name = f"{stack}-{logical}-{suffix}{tail}"
    return name.lower() if kind.lower else name


def _key_id(naming: Naming, logical_id: str, resource_type: str, seed: bytes) -> str:
    """A KMS key id: a UUID, or `mrk-` and 32 hexadecimal characters for a multi-Region key."""
    if resource_type == "AWS::KMS::Key" and text(naming.prop(logical_id, "MultiRegion")) == "true":
        return "mrk-" + seed[:16].hex()
    return str(uuid.UUID(bytes=seed[:16], version=4))


@dataclass(frozen=True)
class Identity:
    """A resource's name and ARN as imported; `generated` when CloudFormation would make the name up, `unknown`
    when the name property evaluated to an unknown (then the name is the generated one too)."""

    name: str
    arn: str | None
    path: str
    generated: bool
    unknown: Unknown | None
    values: dict[str, str]


def identity(naming: Naming, logical_id: str, resource_type: str) -> Identity | None:
    """The name, ARN and formed ids of a resource of a type in KINDS (None for other types)."""
    kind = KINDS.get(resource_type)
    if kind is None:
        return None
    seed = _digest(naming.account, naming.region, naming.label, logical_id)
    given = naming.prop(logical_id, kind.name_property) if kind.name_property else NO_VALUE
    fifo = bool(kind.fifo and text(naming.prop(logical_id, kind.fifo)) == "true")
    missing = given if isinstance(given, Unknown) else None
    if isinstance(given, str | int) and not isinstance(given, bool) and text(given):
        name, generated = text(given), False
    else:
        name, generated = generated_name(kind, naming.label, logical_id, seed, fifo), True
    path = "/"
    if kind.has_path:
        raw = naming.prop(logical_id, "Path")
        if isinstance(raw, str) and raw:
            path = raw
    values = {
        "name": name,
        "bare_name": name.lstrip("/"),
        "path": path,
        "partition": naming.partition,
        "region": naming.region,
        "account": naming.account,
        "url_suffix": naming.url_suffix,
        "key_id": _key_id(naming, logical_id, resource_type, seed),
        "secret_suffix": _suffix(seed[16:], 6),
        "org_id": "o-" + _suffix(seed, 10).lower(),
        "root_id": "r-" + _suffix(seed[8:], 4).lower(),
        "ou_id": "ou-" + _suffix(seed[8:], 4).lower() + "-" + _suffix(seed[16:], 8).lower(),
        "policy_id": "p-" + _suffix(seed[20:], 8).lower(),
    }
    arn = kind.arn.format(**values) if kind.arn else None
    if arn is not None:
        values["arn"] = arn
        values["role_id"] = unique_id("AROA", arn)  # the scenario builder's rule
    return Identity(name, arn, path, generated, missing, values)


def resource_value(naming: Naming, logical_id: str, resource_type: str, attribute: str | None, at: str) -> Any:
    """What `Ref` (attribute None) or `Fn::GetAtt` of the resource evaluates to."""
    custom = resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource"
    what = f"`{logical_id}` ({resource_type})"
    found = identity(naming, logical_id, resource_type)
    if found is None or (attribute is not None and attribute not in KINDS[resource_type].attributes):
        if attribute is None:
            return Unknown(f"the physical id of {what} is generated by CloudFormation", at)
        if custom:
            return Unknown(f"attribute `{attribute}` of custom resource {what} is returned by its provider", at)
        return Unknown(f"attribute `{attribute}` of {what} is not known offline", at)
    kind = KINDS[resource_type]
    template = kind.ref if attribute is None else kind.attributes[attribute]
    return template.format(**found.values)
