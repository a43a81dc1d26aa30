"""The edge kinds of `graph` as data: for each way one principal gets another's permissions (or gives it any), the
requests that must all be allowed, and where the IAM literature names it (docs/queries.md "Edge kinds").

Facts only, from three sources: the AWS IAM User Guide (UG:id_roles_use_passrole: "To pass a role (and its
permissions) to an AWS service, a user must have permissions to pass the role to the service."), Rhino Security
Labs' "AWS IAM Privilege Escalation - Methods and Mitigation" (Gietzen, 2018), and the services for which PMapper
(nccgroup) has an edge checker (CodeBuild, SageMaker). No code or text of either tool is used.

A kind is one of two families: `become` (afterwards the source acts with the target's permissions) and `empower`
(the source can rewrite the target's identity policies, so the target holds whatever the source writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Family(StrEnum):
    """What an edge gives its source."""

    BECOME = "become"  # the source acts with the target's permissions
    EMPOWER = "empower"  # the source can give the target any permission (within the target's boundary, SCPs)


class TargetType(StrEnum):
    """The kind of principal an edge leads to."""

    USER = "user"
    ROLE = "role"


class On(StrEnum):
    """What a step's request is made on."""

    TARGET = "target"  # the target user's or role's ARN
    GROUP = "group"  # one of the target user's groups (any one suffices)
    POLICY = "policy"  # one customer managed policy attached to the target (any one suffices)
    BOUNDARY = "boundary"  # the target's ARN, asked only when the target has a permissions boundary
    SERVICE = "service"  # the service's own resource, in the source's account (`Step.resource` is its template)
    TRUST = "trust"  # the passed-to service assumes the target role under the role's trust policy
    NEW_TRUST = "new trust"  # the source assumes the target role under a trust policy naming the source


@dataclass(frozen=True)
class Step:
    """One request an edge needs: its action and what it is made on."""

    action: str
    on: On
    resource: str = ""  # for `On.SERVICE`: `{partition}`, `{region}` and `{account}` filled in


@dataclass(frozen=True)
class EdgeKind:
    """One way to get at a principal: every step must be allowed."""

    name: str
    family: Family
    target: TargetType
    steps: tuple[Step, ...]
    source: str  # where the method is documented
    service: str | None = None  # the service principal a role is passed to (`iam:PassedToService`)
    note: str = ""  # what the model cannot tell and the edge assumes

    @property
    def actions(self) -> tuple[str, ...]:
        """The actions of the steps made by the edge's source, in order."""
        return tuple(step.action for step in self.steps if step.on is not On.TRUST)


RHINO = "Rhino Security Labs, AWS IAM Privilege Escalation - Methods and Mitigation"
PASSROLE_DOC = "UG:id_roles_use_passrole"
PMAPPER = "PMapper (nccgroup) edge checker"
REGION = "us-east-1"  # the region of the service resources an edge is tried on
NAME = "policysim-escalation"  # the name of the service resource an edge is tried on


def _user_policy_change(name: str, action: str, on: On = On.TARGET) -> EdgeKind:
    steps = (Step(action, on), Step("iam:DeleteUserPermissionsBoundary", On.BOUNDARY))
    return EdgeKind(name, Family.EMPOWER, TargetType.USER, steps, RHINO)


def _role_policy_change(name: str, action: str, on: On = On.TARGET) -> EdgeKind:
    steps = (Step(action, on), Step("iam:DeleteRolePermissionsBoundary", On.BOUNDARY))
    return EdgeKind(name, Family.EMPOWER, TargetType.ROLE, steps, RHINO)


def _pass_role(name: str, service: str, steps: tuple[Step, ...], source: str, note: str = "") -> EdgeKind:
    """The source passes the role to a service that runs the source's code as the role."""
    everything = (Step("iam:PassRole", On.TARGET), *steps, Step("sts:AssumeRole", On.TRUST))
    return EdgeKind(name, Family.BECOME, TargetType.ROLE, everything, f"{PASSROLE_DOC}; {source}", service, note)


def _service(action: str, resource: str) -> Step:
    return Step(action, On.SERVICE, resource)


LAMBDA_FUNCTION = "arn:{partition}:lambda:{region}:{account}:function:" + NAME
CODEBUILD_PROJECT = "arn:{partition}:codebuild:{region}:{account}:project/" + NAME
NOTEBOOK = "arn:{partition}:sagemaker:{region}:{account}:notebook-instance/" + NAME
PIPELINE = "arn:{partition}:datapipeline:{region}:{account}:pipeline/df-" + NAME

KINDS: tuple[EdgeKind, ...] = (
    EdgeKind(
        "assume-role",
        Family.BECOME,
        TargetType.ROLE,
        (Step("sts:AssumeRole", On.TARGET),),
        "UG:id_roles_use (the role's trust policy and, across accounts, the caller's identity policies)",
    ),
    EdgeKind("create-access-key", Family.BECOME, TargetType.USER, (Step("iam:CreateAccessKey", On.TARGET),), RHINO),
    EdgeKind(
        "create-login-profile", Family.BECOME, TargetType.USER, (Step("iam:CreateLoginProfile", On.TARGET),), RHINO
    ),
    EdgeKind(
        "update-login-profile", Family.BECOME, TargetType.USER, (Step("iam:UpdateLoginProfile", On.TARGET),), RHINO
    ),
    EdgeKind(
        "update-assume-role-policy",
        Family.BECOME,
        TargetType.ROLE,
        (Step("iam:UpdateAssumeRolePolicy", On.TARGET), Step("sts:AssumeRole", On.NEW_TRUST)),
        RHINO,
        note="the AssumeRole is judged under the trust policy the source would write (naming the source)",
    ),
    _pass_role(
        "pass-role-lambda",
        "lambda.amazonaws.com",
        (_service("lambda:CreateFunction", LAMBDA_FUNCTION), _service("lambda:InvokeFunction", LAMBDA_FUNCTION)),
        RHINO,
    ),
    _pass_role(
        "pass-role-ec2",
        "ec2.amazonaws.com",
        (_service("ec2:RunInstances", "arn:{partition}:ec2:{region}:{account}:instance/*"),),
        RHINO,
        "the model holds no instance profiles: the edge assumes one holds the role",
    ),
    _pass_role(
        "pass-role-cloudformation",
        "cloudformation.amazonaws.com",
        (
            _service(
                "cloudformation:CreateStack", "arn:{partition}:cloudformation:{region}:{account}:stack/" + NAME + "/*"
            ),
        ),
        RHINO,
    ),
    _pass_role(
        "pass-role-codebuild",
        "codebuild.amazonaws.com",
        (_service("codebuild:CreateProject", CODEBUILD_PROJECT), _service("codebuild:StartBuild", CODEBUILD_PROJECT)),
        PMAPPER,
    ),
    _pass_role("pass-role-glue", "glue.amazonaws.com", (_service("glue:CreateDevEndpoint", "*"),), RHINO),
    _pass_role(
        "pass-role-sagemaker",
        "sagemaker.amazonaws.com",
        (
            _service("sagemaker:CreateNotebookInstance", NOTEBOOK),
            _service("sagemaker:CreatePresignedNotebookInstanceUrl", NOTEBOOK),
        ),
        PMAPPER,
    ),
    _pass_role(
        "pass-role-datapipeline",
        "datapipeline.amazonaws.com",
        (
            _service("datapipeline:CreatePipeline", "*"),
            _service("datapipeline:PutPipelineDefinition", PIPELINE),
            _service("datapipeline:ActivatePipeline", PIPELINE),
        ),
        RHINO,
    ),
    _user_policy_change("attach-user-policy", "iam:AttachUserPolicy"),
    _user_policy_change("put-user-policy", "iam:PutUserPolicy"),
    _user_policy_change("attach-group-policy", "iam:AttachGroupPolicy", On.GROUP),
    _user_policy_change("put-group-policy", "iam:PutGroupPolicy", On.GROUP),
    _user_policy_change("create-user-policy-version", "iam:CreatePolicyVersion", On.POLICY),
    _role_policy_change("attach-role-policy", "iam:AttachRolePolicy"),
    _role_policy_change("put-role-policy", "iam:PutRolePolicy"),
    _role_policy_change("create-role-policy-version", "iam:CreatePolicyVersion", On.POLICY),
)
KIND_NAMES = {kind.name: kind for kind in KINDS}
