"""The wire form of a scenario file (contracts.md section 2): strict, unknown keys refused.

Policy documents (`<doc>`) are kept as plain data here; the policy compiler validates them with their positions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from policysim.enums import Gate
from policysim.model.wire_types import ContextValue, Doc, Expectation, Names, Tags

# IAM policy names: "1-128 characters ... alphanumeric characters plus `+=,.@-_`" (IAM API, PolicyName)
PolicyName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_+=,.@-]{1,128}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class UnknownValue(_Strict):
    """What an import could not tell: why, and where in its input."""

    reason: str = Field(description='Why the value is unknown ("known only after apply", ...).')
    source: str = Field(description="Where the input holds it: file:line:col, a plan address or a logical id.")


class UnknownRef(_Strict):
    """A policy reference an import could not tell (imports.md); requests it could decide are `undetermined`."""

    unknown: UnknownValue = Field(description="Why the policy is unknown, and where.")


Ref = str | UnknownRef


class _Policies(_Strict):
    """What a user, group or role holds: managed and inline identity policies."""

    managed_policies: list[Ref] = Field(
        default=[],
        description=(
            "Managed policies attached to it: policy names of the same account, customer managed policy ARNs, or "
            "AWS managed policy ARNs."
        ),
    )
    inline_policies: dict[PolicyName, Doc] = Field(
        default={},
        description="Inline policies: `<name>: <policy document>` (a name is 1-128 of letters, digits and `+=,.@-_`).",
    )


class _Principal(_Policies):
    """What a user or role holds besides: a permissions boundary."""

    permissions_boundary: Ref | None = Field(
        default=None,
        description="The permissions boundary: a policy name of the same account or a managed policy ARN.",
    )


class User(_Principal):
    """An IAM user."""

    groups: Names = Field(default=[], description="Names of groups of the same account; the user gets their policies.")
    tags: Tags = Field(default={}, description="User tags `<key>: <value>`; they become `aws:PrincipalTag/<key>`.")
    user_id: str | None = Field(
        default=None,
        description="The user's unique id (`AIDA...`), the value of `aws:userid`; generated from the ARN when absent.",
    )
    path: str = Field(
        default="/",
        description="The IAM path, part of the user's ARN (`arn:aws:iam::ACCOUNT:user/PATH/NAME`); default `/`.",
    )


class Group(_Policies):
    """An IAM group: a set of policies for its users; never a principal."""

    path: str = Field(default="/", description="The IAM path, part of the group's ARN; default `/`.")


class Role(_Principal):
    """An IAM role. Without `trust_policy` it cannot be assumed."""

    trust_policy: Doc | None = Field(
        default=None,
        description=(
            "The trust policy (who may assume the role): a policy document or `{file: PATH}`. A role without "
            "one cannot be assumed."
        ),
    )
    max_session_duration: Annotated[int, Field(ge=3600, le=43200)] = Field(
        default=3600,
        description=(
            "Seconds, 3600-43200 (default 3600): the longest `duration_seconds` an AssumeRole request may ask for."
        ),
    )
    path: str = Field(
        default="/", description="The IAM path, part of the role ARN but not of its session ARNs; default `/`."
    )
    tags: Tags = Field(
        default={},
        description=(
            "Role tags: `aws:PrincipalTag/<key>` for its sessions, `aws:ResourceTag/<key>` when the role is "
            "the resource."
        ),
    )
    role_id: str | None = Field(
        default=None,
        description=(
            "The role's unique id (`AROA...`), used in `aws:userid` (`ROLEID:SESSION`); a stable id is "
            "generated from the ARN when absent."
        ),
    )


class Bucket(_Strict):
    """An S3 bucket, optionally with a bucket policy."""

    policy: Doc | None = Field(
        default=None,
        description="The bucket policy: a policy document or `{file: PATH}`; none when absent.",
    )
    tags: Tags = Field(default={}, description="Bucket tags: its `aws:ResourceTag/<key>` values.")


class Resource(_Strict):
    """Any other resource with a resource-based policy (SQS queue, SNS topic, KMS key, secret, ...)."""

    arn: str = Field(description="The resource's ARN.")
    policy: Doc | None = Field(
        default=None,
        description="The resource-based policy: a policy document or `{file: PATH}`; none when absent.",
    )
    tags: Tags = Field(default={}, description="Resource tags: its `aws:ResourceTag/<key>` values.")


class VpcEndpoint(_Strict):
    """A VPC endpoint of the account: requests whose `aws:SourceVpce` names it are also evaluated against its policy."""

    policy: Doc | None = Field(
        default=None,
        description=(
            "The endpoint policy: a policy document (with `Principal`) or `{file: PATH}`. Without it, AWS's default "
            "endpoint policy, which allows full access."
        ),
    )
    vpc: Annotated[str, Field(pattern=r"^vpc-[0-9a-f]{8,17}$")] | None = Field(
        default=None, description="The endpoint's VPC (`vpc-...`): the `aws:SourceVpc` of requests through it."
    )
    service: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,64}$")] | None = Field(
        default=None,
        description=(
            "The service prefix of the actions it carries (`s3`, `dynamodb`); its policy governs only them. "
            "Without it, every request naming the endpoint."
        ),
    )


class Account(_Strict):
    """An AWS account and what it holds."""

    name: str | None = Field(default=None, description="A display name.")
    partition: str = Field(
        default="aws",
        description=(
            "The partition of the account's ARNs: `aws` (default), `aws-cn`, `aws-us-gov`, `aws-iso`, "
            "`aws-iso-b`, `aws-iso-e`, `aws-iso-f` or `aws-eusc`."
        ),
    )
    scps: list[Ref] | None = Field(
        default=None,
        description=(
            "SCPs attached to the account itself (member accounts only): names from `organization.policies` "
            "or `FullAWSAccess`. Without the key, `FullAWSAccess`."
        ),
    )
    rcps: list[Ref] = Field(
        default=[],
        description=(
            "RCPs attached to the account itself (member accounts only): names from `organization.policies`; "
            "`RCPFullAWSAccess` is always attached."
        ),
    )
    policies: dict[PolicyName, Doc] = Field(
        default={},
        description=(
            "Customer managed policies defined in this account: `<name>: <policy document>`; ARN "
            "`arn:PARTITION:iam::ACCOUNT:policy/<name>`."
        ),
    )
    users: dict[str, User] = Field(default={}, description="IAM users: `<name>: {...}`.")
    groups: dict[str, Group] = Field(default={}, description="IAM groups: `<name>: {...}`.")
    roles: dict[str, Role] = Field(default={}, description="IAM roles: `<name>: {...}`.")
    buckets: dict[str, Bucket] = Field(
        default={}, description="S3 buckets of this account: `<bucket name>: {policy, tags}`."
    )
    resources: list[Resource] = Field(
        default=[],
        description="Any other resource with a resource-based policy or tags: a list of `{arn, policy, tags}`.",
    )
    vpc_endpoints: dict[str, VpcEndpoint] = Field(
        default={},
        description="VPC endpoints of this account: `<vpce-id>: {policy, vpc, service}`.",
    )


class OrgRoot(_Strict):
    """The organization root: policies attached to it and accounts directly under it."""

    scps: list[Ref] | None = Field(
        default=None,
        description=(
            "SCPs attached to the root: names from `organization.policies` or `FullAWSAccess`. Without the "
            "key, `FullAWSAccess`."
        ),
    )
    rcps: list[Ref] = Field(
        default=[],
        description=(
            "RCPs attached to the root: names from `organization.policies`; `RCPFullAWSAccess` is always attached."
        ),
    )
    accounts: Names = Field(default=[], description="Ids of the accounts directly under the root (quoted strings).")


class OrgUnit(_Strict):
    """An organizational unit."""

    parent: str = Field(default="root", description="The parent: `root` (default) or the name of another OU.")
    scps: list[Ref] | None = Field(
        default=None,
        description=(
            "SCPs attached to the OU: names from `organization.policies` or `FullAWSAccess`. Without the key, "
            "`FullAWSAccess`."
        ),
    )
    rcps: list[Ref] = Field(
        default=[],
        description=(
            "RCPs attached to the OU: names from `organization.policies`; `RCPFullAWSAccess` is always attached."
        ),
    )
    accounts: Names = Field(default=[], description="Ids of the accounts directly in this OU (quoted strings).")


class Organization(_Strict):
    """AWS Organizations: the OU tree, SCPs and RCPs."""

    id: Annotated[str, Field(pattern=r"^o-[a-z0-9]{10,32}$")] = Field(
        description=(
            "The organization id: `o-` and 10-32 lowercase letters or digits. Members get it as "
            "`aws:PrincipalOrgID` and `aws:ResourceOrgID`."
        ),
    )
    management_account: str | None = Field(
        default=None,
        description=(
            "The management account's id (quoted); it must be placed in the tree. SCPs never restrict it and "
            "RCPs do not apply to its resources."
        ),
    )
    policies: dict[PolicyName, Doc] = Field(
        default={}, description="SCPs and RCPs by name: `<name>: <policy document>`."
    )
    root: OrgRoot = Field(default=OrgRoot(), description="The organization root: `{scps, rcps, accounts}`.")
    units: dict[str, OrgUnit] = Field(default={}, description="The OUs: `<OU name>: {parent, scps, rcps, accounts}`.")


class ResourcePattern(_Strict):
    """A test's resource given as a pattern: is some matching resource allowed? (docs/queries.md)"""

    pattern: str = Field(
        min_length=1,
        max_length=2048,
        description=(
            "A resource ARN pattern (`arn:aws:s3:::logs-*/*`) or `*`: `expect: allowed` means some matching "
            "resource is allowed, `denied` that every example tried is denied."
        ),
    )


class Test(_Strict):
    """One expectation: a request and the decision it should get."""

    name: str = Field(description="The test's name, shown in reports (and the pytest item id).")
    principal: str = Field(
        description=(
            "Who makes the request: a user or role name, a principal ARN, a service principal, or `anonymous`."
        ),
    )
    assume: Names = Field(
        default=[],
        description="A role chain walked before the request: role names or role ARNs; each hop is authorized.",
    )
    session_name: str | None = Field(
        default=None,
        description=(
            "The role session name (every hop). Default: the user's name when a user assumes the role, "
            "otherwise `policysim`."
        ),
    )
    external_id: str | None = Field(default=None, description="The ExternalId, passed on every hop (`sts:ExternalId`).")
    mfa: bool | None = Field(
        default=None,
        description=(
            "`true`: the caller authenticated with MFA (`aws:MultiFactorAuthPresent`, carried through the chain)."
        ),
    )
    session_policy: Doc | None = Field(
        default=None,
        description="A policy document (or `{file: PATH}`) passed as the session policy on the last hop.",
    )
    session_policy_arns: Names = Field(
        default=[],
        description=(
            "Managed session policy ARNs: not modelled yet; a test that gives any is refused (exit 2). Write "
            "the policy inline as `session_policy`."
        ),
    )
    session_tags: Tags = Field(
        default={},
        description=(
            "Session tags `{key: value}` on the last hop (`aws:RequestTag/*`; needs `sts:TagSession` in the "
            "trust policy); they override role tags."
        ),
    )
    transitive_tag_keys: Names = Field(default=[], description="Session tag keys that persist through later hops.")
    source_identity: str | None = Field(
        default=None,
        description=(
            "The source identity (`sts:SourceIdentity`; needs `sts:SetSourceIdentity`), carried through the chain."
        ),
    )
    duration_seconds: int | None = Field(
        default=None, description="The session duration asked for, in seconds (every hop)."
    )
    via: Literal["api", "cli", "console"] = Field(
        default="api",
        description=(
            "`api` (default), `cli` or `console` (the console's Switch Role: no ExternalId, 1-hour sessions, "
            "no session policies or tags)."
        ),
    )
    action: str | Names = Field(
        description=(
            "`service:Action` (no wildcards, at most 128 characters), or a list: one result per action x resource."
        ),
    )
    resource: str | Names | ResourcePattern = Field(
        description=(
            "A resource ARN or `*` (at most 2,048 characters), or a list: one result per action x resource; or "
            "`{pattern: ARN-PATTERN}`: is some matching resource allowed (one result per action)."
        ),
    )
    resource_account: str | None = Field(
        default=None,
        description="The 12-digit owner (quoted) of a resource the model does not declare.",
    )
    context: dict[str, ContextValue] = Field(
        default={},
        description=(
            "Request context keys: `{<key>: <value or list>}`; they override derived keys, and `null` removes "
            "a derived key."
        ),
    )
    expect: Expectation = Field(
        description="The decision expected: `allowed`, `denied` (either deny), `explicitDeny` or `implicitDeny`.",
    )
    # why, beyond what: a gate among the outcome's deciding gates, and a statement its reasons name
    # (`SID`, `#N` for a statement without a Sid, or `POLICY_ID#SID`; scenario-format.md, Expectations)
    expect_gate: Annotated[Gate, Field(strict=False)] | None = Field(
        default=None,
        description=(
            "A gate that must be among the deciding gates: `identity`, `resource`, `trust`, `boundary`, "
            "`session`, `scp`, `rcp`, `vpc-endpoint`, `service` or `root`."
        ),
    )
    expect_statement: Annotated[str, Field(min_length=1)] | None = Field(
        default=None,
        description=(
            "A statement the reasons must name: `SID`, `#N` (a statement without a Sid, counted from 1), or "
            "`POLICY_ID#SID`."
        ),
    )


class GaadImport(_Strict):
    """An `import:` entry of GAAD exports (imports.md)."""

    kind: ClassVar[str] = "gaad"
    gaad: str | list[str] = Field(description="`aws iam get-account-authorization-details` output files (or pages).")
    account: str | None = Field(None, description="The account id; must agree with the ARNs of the export.")
    resource_policies: list[str] = Field([], description="Resource-policy exports (get-bucket-policy, ...).")
    organization: str | None = Field(None, description="An AWS Organizations export.")

    def arguments(self, base: Path) -> dict[str, Any]:
        """The importer's keyword arguments, paths relative to the scenario file's folder."""
        files = [self.gaad] if isinstance(self.gaad, str) else self.gaad
        return {
            "paths": [base / f for f in files],
            "account": self.account,
            "resource_policies": [base / f for f in self.resource_policies],
            "organization": base / self.organization if self.organization else None,
        }


class TerraformImport(_Strict):
    """An `import:` entry of a Terraform plan (imports.md)."""

    kind: ClassVar[str] = "terraform_plan"
    terraform_plan: str = Field(description="`terraform show -json PLANFILE` output.")
    account: str | None = Field(None, description="The account, when the plan has no data.aws_caller_identity.")
    region: str | None = Field(None, description="The region of the plan's resources.")

    def arguments(self, base: Path) -> dict[str, Any]:
        """The importer's keyword arguments, paths relative to the scenario file's folder."""
        return {"path": base / self.terraform_plan, "account": self.account, "region": self.region}


class CloudFormationImport(_Strict):
    """An `import:` entry of CloudFormation templates or a CDK `cdk.out` (imports.md)."""

    kind: ClassVar[str] = "cloudformation"
    cloudformation: str | list[str] = Field(description="Template files (JSON or YAML), or a cdk.out folder.")
    account: str = Field(description="The account the stack is deployed in.")
    region: str = Field(description="The region the stack is deployed in.")
    stack_name: str | None = Field(None, description="The stack's name (AWS::StackName).")
    parameters: dict[str, str] | str | None = Field(None, description="Parameter values, or a parameters file.")

    def arguments(self, base: Path) -> dict[str, Any]:
        """The importer's keyword arguments, paths relative to the scenario file's folder."""
        files = [self.cloudformation] if isinstance(self.cloudformation, str) else self.cloudformation
        parameters = base / self.parameters if isinstance(self.parameters, str) else self.parameters
        return {
            "paths": [base / f for f in files],
            "account": self.account,
            "region": self.region,
            "stack_name": self.stack_name,
            "parameters": parameters,
        }


ImportEntry = GaadImport | TerraformImport | CloudFormationImport
IMPORT_KINDS: dict[str, type[GaadImport] | type[TerraformImport] | type[CloudFormationImport]] = {
    cls.kind: cls for cls in (GaadImport, TerraformImport, CloudFormationImport)
}


class Defaults(_Strict):
    """Request settings every test of the scenario has unless it gives its own (scenario-format.md, Defaults)."""

    context: dict[str, ContextValue] = Field(
        {}, description="Request context keys every test has; a test's own `context` wins key by key."
    )
    region: str | None = Field(None, description="`aws:RequestedRegion` of every test's request.")
    source_ip: str | None = Field(None, description="`aws:SourceIp` of every test's request.")
    mfa: bool | None = Field(None, description="`mfa` of every test that does not set it.")
    via: Literal["api", "cli", "console"] | None = Field(
        None, description="`via` of every test that makes an AssumeRole request and does not set it."
    )


class ManagedVersion(_Strict):
    """The version of an AWS managed policy an account sees (from a GAAD export), overriding the shipped one."""

    document: Doc = Field(description="The policy document of the default version.")
    version_id: str = Field(description="The version id (`v18`).")
    date: str = Field(default="", description="When the version was created.")


class ScenarioFile(_Strict):
    """A whole scenario file."""

    scenario: str = Field(description="The scenario's title, shown in reports.")
    description: str | None = Field(default=None, description="Free text.")
    organization: Organization | None = Field(
        default=None,
        description="The AWS Organization the accounts belong to: its OU tree, SCPs and RCPs.",
    )
    accounts: dict[str, Account] = Field(
        default={},
        description="The accounts: a mapping from 12-digit account id (a quoted string) to what the account holds.",
    )
    import_: list[dict[str, Any]] = Field(
        [],
        alias="import",
        description="Models to import (`gaad`, `terraform_plan` or `cloudformation` entries), merged with `accounts`.",
    )
    aws_managed_policies: dict[str, ManagedVersion] = Field(
        default={},
        description="AWS managed policy ARN -> the version this model's account sees, overriding the shipped one.",
    )
    imported: bool = Field(
        default=False,
        description=(
            "The model was imported (`policysim import` writes it): what its inputs could not tell is unknown "
            "(S3 Block Public Access settings, principals of accounts outside the model)."
        ),
    )
    defaults: Defaults | None = Field(
        None, description="Request settings (context, region, source IP, mfa, via) every test has unless it overrides."
    )
    newer_actions: Names = Field(
        [],
        description="Actions tests may name though the shipped service catalogue does not list them (newer than it).",
    )
    tests: list[Test] = Field(default=[], description="The tests: each a request and the decision it should get.")
