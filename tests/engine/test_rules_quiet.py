"""`rules_quiet`: a plan's answer to "can a service rule answer?" is the rules' own, for every caller, action and
resource they tell apart (so a plan that skips them skips nothing that would answer)."""

from __future__ import annotations

import itertools

from policysim.context import RequestContext
from policysim.request import Principal, PrincipalKind, Request
from policysim.services.rules import owned_resource_refusal, rules_quiet
from policysim.services.sts import TRUST_ACTIONS, UNDENIABLE_ACTIONS, caller_refusal, undeniable

A = "111111111111"
PRINCIPALS = [
    Principal(PrincipalKind.ROOT, f"arn:aws:iam::{A}:root", A),
    Principal(PrincipalKind.USER, f"arn:aws:iam::{A}:user/alice", A, name="alice"),
    Principal(PrincipalKind.ROLE_SESSION, f"arn:aws:sts::{A}:assumed-role/r/s", A, name="s"),
    Principal(PrincipalKind.FEDERATED_USER, f"arn:aws:sts::{A}:federated-user/bob", A, name="bob"),
    Principal(PrincipalKind.SERVICE, "lambda.amazonaws.com", None),
    Principal(PrincipalKind.ANONYMOUS, "*", None),
]
ACTIONS = [
    *sorted(TRUST_ACTIONS | UNDENIABLE_ACTIONS),
    "iam:deleteservicelinkedrole",
    "iam:getservicelinkedroledeletionstatus",
    "iam:deletepolicy",
    "iam:getpolicy",
    "iam:putrolepolicy",
    "kms:deletealias",
    "kms:updatealias",
    "s3:getobject",
    "s3:putobject",
    "ec2:describeinstances",
]
RESOURCES = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_x",
    f"arn:aws:iam::{A}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk",
    f"arn:aws:kms:us-east-1:{A}:alias/aws/s3",
    f"arn:aws:kms:us-east-1:{A}:alias/mine",
    f"arn:aws:iam::{A}:role/app",
    f"arn:aws:iam::{A}:policy/mine",
    "arn:aws:s3:::bucket/key",
    "*",
]


def test_a_plan_is_quiet_exactly_when_no_rule_answers() -> None:
    checked = 0
    for principal, action, resource in itertools.product(PRINCIPALS, ACTIONS, RESOURCES):
        request = Request(principal, action, resource, A, RequestContext())
        answers = (
            caller_refusal(principal, action, request) is not None
            or undeniable(request) is not None
            or owned_resource_refusal(request) is not None
        )
        assert rules_quiet(principal, action, resource) is not answers, (principal.kind, action, resource)
        checked += 1
    assert checked == len(PRINCIPALS) * len(ACTIONS) * len(RESOURCES)
