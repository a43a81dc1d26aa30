"""Wire records: what policysim reads of a scenario, policy or configuration file.

WRITTEN by `python -m policysim.model.records_refresh` from the pydantic wire models; do not edit.
`SPEC`: record name -> (its pydantic model, fields as (name, key, rule, default)); model/wire.py reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from policysim.enums import Gate


@dataclass(frozen=True, kw_only=True, slots=True)
class UnknownValue:
    """What an import could not tell: why, and where in its input."""

    reason: str
    source: str
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class ResourcePattern:
    """A test's resource given as a pattern: is some matching resource allowed? (docs/queries.md)"""

    pattern: str
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class VpcEndpoint:
    """A VPC endpoint of the account: requests whose `aws:SourceVpce` names it are also evaluated against its policy."""

    policy: Any | None = None
    vpc: str | None = None
    service: str | None = None
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Resource:
    """Any other resource with a resource-based policy (SQS queue, SNS topic, KMS key, secret, ...)."""

    arn: str
    policy: Any | None = None
    tags: dict[str, str] = field(default_factory=dict)
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Bucket:
    """An S3 bucket, optionally with a bucket policy."""

    policy: Any | None = None
    tags: dict[str, str] = field(default_factory=dict)
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Role:
    """An IAM role. Without `trust_policy` it cannot be assumed."""

    managed_policies: list[str | UnknownRef] = field(default_factory=list)
    inline_policies: dict[str, Any] = field(default_factory=dict)
    permissions_boundary: str | UnknownRef | None = None
    trust_policy: Any | None = None
    max_session_duration: int = 3600
    path: str = "/"
    tags: dict[str, str] = field(default_factory=dict)
    role_id: str | None = None
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Group:
    """An IAM group: a set of policies for its users; never a principal."""

    managed_policies: list[str | UnknownRef] = field(default_factory=list)
    inline_policies: dict[str, Any] = field(default_factory=dict)
    path: str = "/"
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class User:
    """An IAM user."""

    managed_policies: list[str | UnknownRef] = field(default_factory=list)
    inline_policies: dict[str, Any] = field(default_factory=dict)
    permissions_boundary: str | UnknownRef | None = None
    groups: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    user_id: str | None = None
    path: str = "/"
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class UnknownRef:
    """A policy reference an import could not tell (imports.md); requests it could decide are `undetermined`."""

    unknown: UnknownValue
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgUnit:
    """An organizational unit."""

    parent: str = "root"
    scps: list[str | UnknownRef] | None = None
    rcps: list[str | UnknownRef] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgRoot:
    """The organization root: policies attached to it and accounts directly under it."""

    scps: list[str | UnknownRef] | None = None
    rcps: list[str | UnknownRef] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class FindingSuppressionEntry:
    """One `suppress_findings` entry (`policysim validate`)."""

    code: str
    file: str | None = None
    policy: str | None = None
    statement: str | None = None
    reason: str
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class SuppressionEntry:
    """One `suppress` entry."""

    test: str
    file: str | None = None
    reason: str
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class PolicyStatement:
    """One statement, with AWS's element names."""

    Sid: str | None = None
    Effect: Literal["Allow", "Deny"]
    Principal: Literal["*"] | dict[Literal["AWS", "Service", "Federated", "CanonicalUser"], str | list[str]] | None = (
        None
    )
    NotPrincipal: (
        Literal["*"] | dict[Literal["AWS", "Service", "Federated", "CanonicalUser"], str | list[str]] | None
    ) = None
    Action: str | list[str] | None = None
    NotAction: str | list[str] | None = None
    Resource: str | list[str] | None = None
    NotResource: str | list[str] | None = None
    Condition: dict[str, dict[str, str | bool | int | float | list[str | bool | int | float]]] | None = None
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Test:
    """One expectation: a request and the decision it should get."""

    name: str
    principal: str
    assume: list[str] = field(default_factory=list)
    session_name: str | None = None
    external_id: str | None = None
    mfa: bool | None = None
    session_policy: Any | None = None
    session_policy_arns: list[str] = field(default_factory=list)
    session_tags: dict[str, str] = field(default_factory=dict)
    transitive_tag_keys: list[str] = field(default_factory=list)
    source_identity: str | None = None
    duration_seconds: int | None = None
    via: Literal["api", "cli", "console"] = "api"
    action: str | list[str]
    resource: str | list[str] | ResourcePattern
    resource_account: str | None = None
    context: dict[str, str | bool | int | float | list[str | bool | int | float] | None] = field(default_factory=dict)
    expect: Literal["allowed", "denied", "explicitDeny", "implicitDeny", "undetermined"]
    expect_gate: Gate | None = None
    expect_statement: str | None = None
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Defaults:
    """Request settings every test of the scenario has unless it gives its own (scenario-format.md, Defaults)."""

    context: dict[str, str | bool | int | float | list[str | bool | int | float] | None] = field(default_factory=dict)
    region: str | None = None
    source_ip: str | None = None
    mfa: bool | None = None
    via: Literal["api", "cli", "console"] | None = None
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class ManagedVersion:
    """The version of an AWS managed policy an account sees (from a GAAD export), overriding the shipped one."""

    document: Any
    version_id: str
    date: str = ""
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Account:
    """An AWS account and what it holds."""

    name: str | None = None
    partition: str = "aws"
    scps: list[str | UnknownRef] | None = None
    rcps: list[str | UnknownRef] = field(default_factory=list)
    policies: dict[str, Any] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    buckets: dict[str, Bucket] = field(default_factory=dict)
    resources: list[Resource] = field(default_factory=list)
    vpc_endpoints: dict[str, VpcEndpoint] = field(default_factory=dict)
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class Organization:
    """AWS Organizations: the OU tree, SCPs and RCPs."""

    id: str
    management_account: str | None = None
    policies: dict[str, Any] = field(default_factory=dict)
    root: OrgRoot = field(default_factory=OrgRoot)
    units: dict[str, OrgUnit] = field(default_factory=dict)
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class ConfigFile:
    """The keys of `.policysim.yaml` and of `[tool.policysim]`."""

    paths: list[str] = field(default_factory=list)
    format: Any = None
    managed_policies: str | None = None
    fail_on: Literal["new-access", "any-change", "never"] | None = None
    accept: str | None = None
    base_ref: str | None = None
    catalogue: str | None = None
    suppress: list[SuppressionEntry] = field(default_factory=list)
    suppress_findings: list[FindingSuppressionEntry] = field(default_factory=list)
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class PolicyDocument:
    """A policy document. `Statement` written as one object is held as a one-element list."""

    Version: Literal["2012-10-17", "2008-10-17"] | None = None
    Id: str | None = None
    Statement: list[PolicyStatement]
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class ScenarioFile:
    """A whole scenario file."""

    scenario: str
    description: str | None = None
    organization: Organization | None = None
    accounts: dict[str, Account] = field(default_factory=dict)
    import_: list[dict[str, Any]] = field(default_factory=list)
    aws_managed_policies: dict[str, ManagedVersion] = field(default_factory=dict)
    imported: bool = False
    defaults: Defaults | None = None
    newer_actions: list[str] = field(default_factory=list)
    tests: list[Test] = field(default_factory=list)
    fields_set: frozenset[str] = field(default=frozenset(), compare=False, repr=False)


Ref = str | UnknownRef


SPEC: dict[str, tuple[str, tuple[tuple[str, str, Any, Any], ...]]] = {
    "UnknownValue": (
        "policysim.model.scenario:UnknownValue",
        (
            ("reason", "reason", ("str", None, None, None), ("required",)),
            ("source", "source", ("str", None, None, None), ("required",)),
        ),
    ),
    "ResourcePattern": (
        "policysim.model.scenario:ResourcePattern",
        (("pattern", "pattern", ("str", None, 1, 2048), ("required",)),),
    ),
    "VpcEndpoint": (
        "policysim.model.scenario:VpcEndpoint",
        (
            ("policy", "policy", ("union", (("any",), ("none",))), ("value", None)),
            ("vpc", "vpc", ("union", (("str", "^vpc-[0-9a-f]{8,17}$", None, None), ("none",))), ("value", None)),
            ("service", "service", ("union", (("str", "^[a-z0-9-]{1,64}$", None, None), ("none",))), ("value", None)),
        ),
    ),
    "Resource": (
        "policysim.model.scenario:Resource",
        (
            ("arn", "arn", ("str", None, None, None), ("required",)),
            ("policy", "policy", ("union", (("any",), ("none",))), ("value", None)),
            ("tags", "tags", ("dict", ("str", None, None, None), ("str", None, None, None)), ("dict",)),
        ),
    ),
    "Bucket": (
        "policysim.model.scenario:Bucket",
        (
            ("policy", "policy", ("union", (("any",), ("none",))), ("value", None)),
            ("tags", "tags", ("dict", ("str", None, None, None), ("str", None, None, None)), ("dict",)),
        ),
    ),
    "Role": (
        "policysim.model.scenario:Role",
        (
            (
                "managed_policies",
                "managed_policies",
                ("list", ("union", (("str", None, None, None), ("record", "UnknownRef"))), None, None),
                ("list",),
            ),
            (
                "inline_policies",
                "inline_policies",
                ("dict", ("str", "^[A-Za-z0-9_+=,.@-]{1,128}$", None, None), ("any",)),
                ("dict",),
            ),
            (
                "permissions_boundary",
                "permissions_boundary",
                ("union", (("str", None, None, None), ("record", "UnknownRef"), ("none",))),
                ("value", None),
            ),
            ("trust_policy", "trust_policy", ("union", (("any",), ("none",))), ("value", None)),
            ("max_session_duration", "max_session_duration", ("int", 3600, 43200), ("value", 3600)),
            ("path", "path", ("str", None, None, None), ("value", "/")),
            ("tags", "tags", ("dict", ("str", None, None, None), ("str", None, None, None)), ("dict",)),
            ("role_id", "role_id", ("union", (("str", None, None, None), ("none",))), ("value", None)),
        ),
    ),
    "Group": (
        "policysim.model.scenario:Group",
        (
            (
                "managed_policies",
                "managed_policies",
                ("list", ("union", (("str", None, None, None), ("record", "UnknownRef"))), None, None),
                ("list",),
            ),
            (
                "inline_policies",
                "inline_policies",
                ("dict", ("str", "^[A-Za-z0-9_+=,.@-]{1,128}$", None, None), ("any",)),
                ("dict",),
            ),
            ("path", "path", ("str", None, None, None), ("value", "/")),
        ),
    ),
    "User": (
        "policysim.model.scenario:User",
        (
            (
                "managed_policies",
                "managed_policies",
                ("list", ("union", (("str", None, None, None), ("record", "UnknownRef"))), None, None),
                ("list",),
            ),
            (
                "inline_policies",
                "inline_policies",
                ("dict", ("str", "^[A-Za-z0-9_+=,.@-]{1,128}$", None, None), ("any",)),
                ("dict",),
            ),
            (
                "permissions_boundary",
                "permissions_boundary",
                ("union", (("str", None, None, None), ("record", "UnknownRef"), ("none",))),
                ("value", None),
            ),
            ("groups", "groups", ("list", ("str", None, None, None), None, None), ("list",)),
            ("tags", "tags", ("dict", ("str", None, None, None), ("str", None, None, None)), ("dict",)),
            ("user_id", "user_id", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("path", "path", ("str", None, None, None), ("value", "/")),
        ),
    ),
    "UnknownRef": (
        "policysim.model.scenario:UnknownRef",
        (("unknown", "unknown", ("record", "UnknownValue"), ("required",)),),
    ),
    "OrgUnit": (
        "policysim.model.scenario:OrgUnit",
        (
            ("parent", "parent", ("str", None, None, None), ("value", "root")),
            (
                "scps",
                "scps",
                (
                    "union",
                    (("list", ("union", (("str", None, None, None), ("record", "UnknownRef"))), None, None), ("none",)),
                ),
                ("value", None),
            ),
            (
                "rcps",
                "rcps",
                ("list", ("union", (("str", None, None, None), ("record", "UnknownRef"))), None, None),
                ("list",),
            ),
            ("accounts", "accounts", ("list", ("str", None, None, None), None, None), ("list",)),
        ),
    ),
    "OrgRoot": (
        "policysim.model.scenario:OrgRoot",
        (
            (
                "scps",
                "scps",
                (
                    "union",
                    (("list", ("union", (("str", None, None, None), ("record", "UnknownRef"))), None, None), ("none",)),
                ),
                ("value", None),
            ),
            (
                "rcps",
                "rcps",
                ("list", ("union", (("str", None, None, None), ("record", "UnknownRef"))), None, None),
                ("list",),
            ),
            ("accounts", "accounts", ("list", ("str", None, None, None), None, None), ("list",)),
        ),
    ),
    "FindingSuppressionEntry": (
        "policysim.model.config_file:FindingSuppressionEntry",
        (
            ("code", "code", ("str", None, None, None), ("required",)),
            ("file", "file", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("policy", "policy", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("statement", "statement", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("reason", "reason", ("str", None, None, None), ("required",)),
        ),
    ),
    "SuppressionEntry": (
        "policysim.model.config_file:SuppressionEntry",
        (
            ("test", "test", ("str", None, None, None), ("required",)),
            ("file", "file", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("reason", "reason", ("str", None, None, None), ("required",)),
        ),
    ),
    "PolicyStatement": (
        "policysim.model.policy:PolicyStatement",
        (
            ("Sid", "Sid", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("Effect", "Effect", ("lit", ("Allow", "Deny")), ("required",)),
            (
                "Principal",
                "Principal",
                (
                    "union",
                    (
                        (
                            "before",
                            "policysim.model.coerce:principal",
                            (
                                "union",
                                (
                                    ("lit", ("*",)),
                                    (
                                        "dict",
                                        ("lit", ("AWS", "Service", "Federated", "CanonicalUser")),
                                        (
                                            "before",
                                            "policysim.model.coerce:string_or_list",
                                            (
                                                "union",
                                                (
                                                    ("str", None, None, None),
                                                    ("list", ("str", None, None, None), None, None),
                                                ),
                                            ),
                                        ),
                                    ),
                                ),
                            ),
                        ),
                        ("none",),
                    ),
                ),
                ("value", None),
            ),
            (
                "NotPrincipal",
                "NotPrincipal",
                (
                    "union",
                    (
                        (
                            "before",
                            "policysim.model.coerce:principal",
                            (
                                "union",
                                (
                                    ("lit", ("*",)),
                                    (
                                        "dict",
                                        ("lit", ("AWS", "Service", "Federated", "CanonicalUser")),
                                        (
                                            "before",
                                            "policysim.model.coerce:string_or_list",
                                            (
                                                "union",
                                                (
                                                    ("str", None, None, None),
                                                    ("list", ("str", None, None, None), None, None),
                                                ),
                                            ),
                                        ),
                                    ),
                                ),
                            ),
                        ),
                        ("none",),
                    ),
                ),
                ("value", None),
            ),
            (
                "Action",
                "Action",
                (
                    "union",
                    (
                        (
                            "before",
                            "policysim.model.coerce:string_or_list",
                            ("union", (("str", None, None, None), ("list", ("str", None, None, None), None, None))),
                        ),
                        ("none",),
                    ),
                ),
                ("value", None),
            ),
            (
                "NotAction",
                "NotAction",
                (
                    "union",
                    (
                        (
                            "before",
                            "policysim.model.coerce:string_or_list",
                            ("union", (("str", None, None, None), ("list", ("str", None, None, None), None, None))),
                        ),
                        ("none",),
                    ),
                ),
                ("value", None),
            ),
            (
                "Resource",
                "Resource",
                (
                    "union",
                    (
                        (
                            "before",
                            "policysim.model.coerce:string_or_list",
                            ("union", (("str", None, None, None), ("list", ("str", None, None, None), None, None))),
                        ),
                        ("none",),
                    ),
                ),
                ("value", None),
            ),
            (
                "NotResource",
                "NotResource",
                (
                    "union",
                    (
                        (
                            "before",
                            "policysim.model.coerce:string_or_list",
                            ("union", (("str", None, None, None), ("list", ("str", None, None, None), None, None))),
                        ),
                        ("none",),
                    ),
                ),
                ("value", None),
            ),
            (
                "Condition",
                "Condition",
                (
                    "union",
                    (
                        (
                            "dict",
                            ("str", None, None, None),
                            (
                                "dict",
                                ("str", None, None, None),
                                (
                                    "before",
                                    "policysim.model.coerce:condition_values",
                                    (
                                        "union",
                                        (
                                            ("str", None, None, None),
                                            ("bool",),
                                            ("int", None, None),
                                            ("float",),
                                            (
                                                "list",
                                                (
                                                    "union",
                                                    (
                                                        ("str", None, None, None),
                                                        ("bool",),
                                                        ("int", None, None),
                                                        ("float",),
                                                    ),
                                                ),
                                                None,
                                                None,
                                            ),
                                        ),
                                    ),
                                ),
                            ),
                        ),
                        ("none",),
                    ),
                ),
                ("value", None),
            ),
        ),
    ),
    "Test": (
        "policysim.model.scenario:Test",
        (
            ("name", "name", ("str", None, None, None), ("required",)),
            ("principal", "principal", ("str", None, None, None), ("required",)),
            ("assume", "assume", ("list", ("str", None, None, None), None, None), ("list",)),
            ("session_name", "session_name", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("external_id", "external_id", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("mfa", "mfa", ("union", (("bool",), ("none",))), ("value", None)),
            ("session_policy", "session_policy", ("union", (("any",), ("none",))), ("value", None)),
            ("session_policy_arns", "session_policy_arns", ("list", ("str", None, None, None), None, None), ("list",)),
            ("session_tags", "session_tags", ("dict", ("str", None, None, None), ("str", None, None, None)), ("dict",)),
            ("transitive_tag_keys", "transitive_tag_keys", ("list", ("str", None, None, None), None, None), ("list",)),
            ("source_identity", "source_identity", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("duration_seconds", "duration_seconds", ("union", (("int", None, None), ("none",))), ("value", None)),
            ("via", "via", ("lit", ("api", "cli", "console")), ("value", "api")),
            (
                "action",
                "action",
                ("union", (("str", None, None, None), ("list", ("str", None, None, None), None, None))),
                ("required",),
            ),
            (
                "resource",
                "resource",
                (
                    "union",
                    (
                        ("str", None, None, None),
                        ("list", ("str", None, None, None), None, None),
                        ("record", "ResourcePattern"),
                    ),
                ),
                ("required",),
            ),
            (
                "resource_account",
                "resource_account",
                ("union", (("str", None, None, None), ("none",))),
                ("value", None),
            ),
            (
                "context",
                "context",
                (
                    "dict",
                    ("str", None, None, None),
                    (
                        "union",
                        (
                            ("str", None, None, None),
                            ("bool",),
                            ("int", None, None),
                            ("float",),
                            (
                                "list",
                                ("union", (("str", None, None, None), ("bool",), ("int", None, None), ("float",))),
                                None,
                                None,
                            ),
                            ("none",),
                        ),
                    ),
                ),
                ("dict",),
            ),
            (
                "expect",
                "expect",
                ("lit", ("allowed", "denied", "explicitDeny", "implicitDeny", "undetermined")),
                ("required",),
            ),
            ("expect_gate", "expect_gate", ("union", (("enum", "policysim.enums:Gate"), ("none",))), ("value", None)),
            ("expect_statement", "expect_statement", ("union", (("str", None, 1, None), ("none",))), ("value", None)),
        ),
    ),
    "Defaults": (
        "policysim.model.scenario:Defaults",
        (
            (
                "context",
                "context",
                (
                    "dict",
                    ("str", None, None, None),
                    (
                        "union",
                        (
                            ("str", None, None, None),
                            ("bool",),
                            ("int", None, None),
                            ("float",),
                            (
                                "list",
                                ("union", (("str", None, None, None), ("bool",), ("int", None, None), ("float",))),
                                None,
                                None,
                            ),
                            ("none",),
                        ),
                    ),
                ),
                ("dict",),
            ),
            ("region", "region", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("source_ip", "source_ip", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("mfa", "mfa", ("union", (("bool",), ("none",))), ("value", None)),
            ("via", "via", ("union", (("lit", ("api", "cli", "console")), ("none",))), ("value", None)),
        ),
    ),
    "ManagedVersion": (
        "policysim.model.scenario:ManagedVersion",
        (
            ("document", "document", ("any",), ("required",)),
            ("version_id", "version_id", ("str", None, None, None), ("required",)),
            ("date", "date", ("str", None, None, None), ("value", "")),
        ),
    ),
    "Account": (
        "policysim.model.scenario:Account",
        (
            ("name", "name", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("partition", "partition", ("str", None, None, None), ("value", "aws")),
            (
                "scps",
                "scps",
                (
                    "union",
                    (("list", ("union", (("str", None, None, None), ("record", "UnknownRef"))), None, None), ("none",)),
                ),
                ("value", None),
            ),
            (
                "rcps",
                "rcps",
                ("list", ("union", (("str", None, None, None), ("record", "UnknownRef"))), None, None),
                ("list",),
            ),
            ("policies", "policies", ("dict", ("str", "^[A-Za-z0-9_+=,.@-]{1,128}$", None, None), ("any",)), ("dict",)),
            ("users", "users", ("dict", ("str", None, None, None), ("record", "User")), ("dict",)),
            ("groups", "groups", ("dict", ("str", None, None, None), ("record", "Group")), ("dict",)),
            ("roles", "roles", ("dict", ("str", None, None, None), ("record", "Role")), ("dict",)),
            ("buckets", "buckets", ("dict", ("str", None, None, None), ("record", "Bucket")), ("dict",)),
            ("resources", "resources", ("list", ("record", "Resource"), None, None), ("list",)),
            (
                "vpc_endpoints",
                "vpc_endpoints",
                ("dict", ("str", None, None, None), ("record", "VpcEndpoint")),
                ("dict",),
            ),
        ),
    ),
    "Organization": (
        "policysim.model.scenario:Organization",
        (
            ("id", "id", ("str", "^o-[a-z0-9]{10,32}$", None, None), ("required",)),
            (
                "management_account",
                "management_account",
                ("union", (("str", None, None, None), ("none",))),
                ("value", None),
            ),
            ("policies", "policies", ("dict", ("str", "^[A-Za-z0-9_+=,.@-]{1,128}$", None, None), ("any",)), ("dict",)),
            ("root", "root", ("record", "OrgRoot"), ("record", "OrgRoot")),
            ("units", "units", ("dict", ("str", None, None, None), ("record", "OrgUnit")), ("dict",)),
        ),
    ),
    "ConfigFile": (
        "policysim.model.config_file:ConfigFile",
        (
            ("paths", "paths", ("list", ("str", None, None, None), None, None), ("list",)),
            ("format", "format", ("any",), ("value", None)),
            (
                "managed_policies",
                "managed_policies",
                ("union", (("str", None, None, None), ("none",))),
                ("value", None),
            ),
            (
                "fail_on",
                "fail_on",
                ("union", (("lit", ("new-access", "any-change", "never")), ("none",))),
                ("value", None),
            ),
            ("accept", "accept", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("base_ref", "base_ref", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("catalogue", "catalogue", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("suppress", "suppress", ("list", ("record", "SuppressionEntry"), None, None), ("list",)),
            (
                "suppress_findings",
                "suppress_findings",
                ("list", ("record", "FindingSuppressionEntry"), None, None),
                ("list",),
            ),
        ),
    ),
    "PolicyDocument": (
        "policysim.model.policy:PolicyDocument",
        (
            ("Version", "Version", ("union", (("lit", ("2012-10-17", "2008-10-17")), ("none",))), ("value", None)),
            ("Id", "Id", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            (
                "Statement",
                "Statement",
                ("before", "policysim.model.coerce:statements", ("list", ("record", "PolicyStatement"), 1, None)),
                ("required",),
            ),
        ),
    ),
    "ScenarioFile": (
        "policysim.model.scenario:ScenarioFile",
        (
            ("scenario", "scenario", ("str", None, None, None), ("required",)),
            ("description", "description", ("union", (("str", None, None, None), ("none",))), ("value", None)),
            ("organization", "organization", ("union", (("record", "Organization"), ("none",))), ("value", None)),
            ("accounts", "accounts", ("dict", ("str", None, None, None), ("record", "Account")), ("dict",)),
            ("import_", "import", ("list", ("dict", ("str", None, None, None), ("any",)), None, None), ("list",)),
            (
                "aws_managed_policies",
                "aws_managed_policies",
                ("dict", ("str", None, None, None), ("record", "ManagedVersion")),
                ("dict",),
            ),
            ("imported", "imported", ("bool",), ("value", False)),
            ("defaults", "defaults", ("union", (("record", "Defaults"), ("none",))), ("value", None)),
            ("newer_actions", "newer_actions", ("list", ("str", None, None, None), None, None), ("list",)),
            ("tests", "tests", ("list", ("record", "Test"), None, None), ("list",)),
        ),
    ),
}
