"""The wire form of a scenario file (contracts.md section 2): strict, unknown keys refused.

Policy documents (`<doc>`) are kept as plain data here; the policy compiler validates them with their positions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policysim.enums import Gate

Doc = Any  # a policy document written inline, or {"file": "relative/path.json"}
# IAM policy names: "1-128 characters ... alphanumeric characters plus `+=,.@-_`" (IAM API, PolicyName)
PolicyName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_+=,.@-]{1,128}$")]
Names = list[str]
Tags = dict[str, str]
ContextScalar = str | bool | int | float
ContextValue = ContextScalar | list[ContextScalar] | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class User(_Strict):
    """An IAM user."""

    groups: Names = []
    managed_policies: Names = []
    inline_policies: dict[PolicyName, Doc] = {}
    permissions_boundary: str | None = None
    tags: Tags = {}
    path: str = "/"


class Group(_Strict):
    """An IAM group: a set of policies for its users; never a principal."""

    managed_policies: Names = []
    inline_policies: dict[PolicyName, Doc] = {}
    path: str = "/"


class Role(_Strict):
    """An IAM role. Without `trust_policy` it cannot be assumed."""

    trust_policy: Doc | None = None
    managed_policies: Names = []
    inline_policies: dict[PolicyName, Doc] = {}
    permissions_boundary: str | None = None
    max_session_duration: Annotated[int, Field(ge=3600, le=43200)] = 3600
    path: str = "/"
    tags: Tags = {}
    role_id: str | None = None  # the unique id (AROA...); generated when absent


class Bucket(_Strict):
    """An S3 bucket, optionally with a bucket policy."""

    policy: Doc | None = None
    tags: Tags = {}


class Resource(_Strict):
    """Any other resource with a resource-based policy (SQS queue, SNS topic, KMS key, secret, ...)."""

    arn: str
    policy: Doc | None = None
    tags: Tags = {}


class Account(_Strict):
    """An AWS account and what it holds."""

    name: str | None = None
    partition: str = "aws"
    scps: Names | None = None  # None: FullAWSAccess, as AWS attaches by default
    rcps: Names = []
    policies: dict[PolicyName, Doc] = {}
    users: dict[str, User] = {}
    groups: dict[str, Group] = {}
    roles: dict[str, Role] = {}
    buckets: dict[str, Bucket] = {}
    resources: list[Resource] = []


class OrgRoot(_Strict):
    """The organization root: policies attached to it and accounts directly under it."""

    scps: Names | None = None
    rcps: Names = []
    accounts: Names = []


class OrgUnit(_Strict):
    """An organizational unit."""

    parent: str = "root"
    scps: Names | None = None
    rcps: Names = []
    accounts: Names = []


class Organization(_Strict):
    """AWS Organizations: the OU tree, SCPs and RCPs."""

    id: Annotated[str, Field(pattern=r"^o-[a-z0-9]{10,32}$")]
    management_account: str | None = None
    policies: dict[PolicyName, Doc] = {}
    root: OrgRoot = OrgRoot()
    units: dict[str, OrgUnit] = {}


Expectation = Literal["allowed", "denied", "explicitDeny", "implicitDeny"]


class Test(_Strict):
    """One expectation: a request and the decision it should get."""

    name: str
    principal: str
    assume: Names = []
    session_name: str | None = None
    external_id: str | None = None
    mfa: bool | None = None
    session_policy: Doc | None = None
    session_policy_arns: Names = []
    session_tags: Tags = {}
    transitive_tag_keys: Names = []
    source_identity: str | None = None
    duration_seconds: int | None = None
    via: Literal["api", "cli", "console"] = "api"
    action: str | Names
    resource: str | Names
    resource_account: str | None = None
    context: dict[str, ContextValue] = {}
    expect: Expectation
    # why, beyond what: a gate among the outcome's deciding gates, and a statement its reasons name
    # (`SID`, `#N` for a statement without a Sid, or `POLICY_ID#SID`; scenario-format.md, Expectations)
    expect_gate: Annotated[Gate, Field(strict=False)] | None = None
    expect_statement: Annotated[str, Field(min_length=1)] | None = None


class ScenarioFile(_Strict):
    """A whole scenario file."""

    scenario: str
    description: str | None = None
    organization: Organization | None = None
    accounts: dict[str, Account] = {}
    tests: list[Test] = []
