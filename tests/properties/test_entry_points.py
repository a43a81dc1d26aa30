"""One request, one decision, whichever entry point asks (issue 11).

policysim answers a request through several entry points: `check` (a scenario's test run), `explain` (the CLI),
`Scenario.evaluate`, `simulate-custom-policy`, `simulate-principal-policy` and the `diff` exploration. They share an
engine but not the code that turns their input into a request, and in review they disagreed. The property below
generates small cases of the shapes that hid those bugs and asserts that every entry point able to express a case
gives the same decision (`allowed` / `explicitDeny` / `implicitDeny`, or refuses it as invalid input). It does not
say which decision is right; the table at the end does, for the known bugs, with the AWS sentence each follows.

The mapping of a case to each entry point is in entry_points_support.py. The disagreements the property found are
kept, minimised, as explicit examples (`KNOWN`). Example counts are bounded so the suite stays fast; for a longer local run (the profile name the fuzz
tests use):

    HYPOTHESIS_PROFILE=fuzz-more python -m pytest tests/properties/test_entry_points.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from entry_points_support import (
    CUSTOM,
    DIFF,
    INVALID,
    OUTSIDER_ARN,
    PRINCIPAL,
    ROOT_ARN,
    SESSION_ARN,
    A,
    B,
    Caller,
    CallerKind,
    Case,
    Json,
    ModelBuilder,
    decisions,
    disagreement,
    doc,
    fixed_clock,
    stmt,
    trust_policy,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policysim import PolicysimError, Scenario
from policysim.twins import simulate_principal_policy

settings.register_profile("fuzz-more", max_examples=2000, deadline=None)
MORE = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz-more"


def bounded(examples: int) -> settings:
    """A small example count by default (the whole file runs in seconds), 20x more under `fuzz-more`."""
    return settings(
        max_examples=examples * 20 if MORE else examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


CALLERS = st.sampled_from([Caller(kind) for kind in CallerKind])
BUCKET = "shared"
OBJECT = f"arn:aws:s3:::{BUCKET}/data.csv"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
AWS_ALIAS = f"arn:aws:kms:us-east-1:{A}:alias/aws/s3"
ALLOW_ALL = doc(stmt("Allow", "*"))


def policy_or_none(draw: st.DrawFn, caller: Caller, *options: Json | None) -> Json | None:
    """One of `options` for a caller that can hold policies; None for the root user."""
    if caller.kind is CallerKind.ROOT:
        return None
    return draw(st.sampled_from(options))


# ------------------------------------------------------------------------------------------------- shapes


@st.composite
def not_principal_cases(draw: st.DrawFn) -> Case:
    """A bucket policy Deny with NotPrincipal that may name the caller, its session, its account; with or without a
    permissions boundary on the caller; the bucket in the caller's account or another; perhaps an Allow too."""
    caller = draw(CALLERS)
    identity = policy_or_none(
        draw, caller, None, doc(stmt("Allow", ["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{BUCKET}/*")), ALLOW_ALL
    )
    boundary = policy_or_none(draw, caller, None, ALLOW_ALL, doc(stmt("Allow", "s3:*")), doc(stmt("Allow", "ec2:*")))
    owner = draw(st.sampled_from([A, B]))
    named = {
        "the caller": caller.arn,
        "the caller's session": SESSION_ARN if caller.kind is CallerKind.ROLE else caller.arn,
        "the caller's account root": ROOT_ARN,
        "the caller's account id": A,
        "an outsider": OUTSIDER_ARN,
    }
    picks = draw(st.lists(st.sampled_from(sorted(named)), min_size=1, max_size=3, unique=True))
    exempt = sorted({named[p] for p in picks})
    deny_action = draw(st.sampled_from(["s3:*", "s3:GetObject"]))
    statements = [
        stmt(
            "Deny",
            deny_action,
            f"arn:aws:s3:::{BUCKET}/*",
            not_principal={"AWS": exempt[0] if len(exempt) == 1 else exempt},
        )
    ]
    grantee = draw(st.sampled_from([None, caller.arn, ROOT_ARN, "*", "everyone but an outsider"]))
    # Allow with NotPrincipal is invalid input, and every entry point must say so
    if grantee == "everyone but an outsider":
        grant = stmt("Allow", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/*", not_principal={"AWS": OUTSIDER_ARN})
        statements.append(grant)
    elif grantee is not None:
        statements.append(
            stmt("Allow", ["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{BUCKET}/*", principal={"AWS": grantee})
        )
    policy = doc(*statements)
    model = ModelBuilder("NotPrincipal deny")
    model.caller(caller, identity, boundary)
    model.bucket(owner, BUCKET, policy)
    return Case(
        "not-principal",
        caller,
        draw(st.sampled_from(["s3:GetObject", "s3:PutObject"])),
        OBJECT,
        model.build(),
        identity,
        boundary,
        policy,
        owner,
    )


TRUST_ACTIONS = ["sts:AssumeRole", "sts:TagSession"]
ROLE_ACTIONS = ["iam:GetRole", "iam:PassRole", "iam:TagRole", *TRUST_ACTIONS]


@st.composite
def trust_cases(draw: st.DrawFn) -> Case:
    """Role actions (iam:GetRole / PassRole / TagRole) and trust actions (sts:AssumeRole / TagSession) on a role whose
    trust policy allows the caller, its account, someone else, or nobody; the identity policy allowing or not."""
    caller = draw(CALLERS)
    account = draw(st.sampled_from([A, B]))
    target = f"arn:aws:iam::{account}:role/target"
    action = draw(st.sampled_from(ROLE_ACTIONS))
    trusted = draw(
        st.sampled_from(["undeclared role", "none", "caller", "account", "outsider", "caller, then denied", "anyone"])
    )
    trust_actions = draw(st.sampled_from([["sts:AssumeRole"], TRUST_ACTIONS]))
    trust: Json | None = None
    if trusted not in ("none", "undeclared role"):
        who = {"caller": caller.arn, "account": ROOT_ARN, "outsider": OUTSIDER_ARN, "anyone": "*"}
        principal = who.get(trusted, caller.arn)
        statements = [stmt("Allow", trust_actions, principal={"AWS": principal})]
        if trusted == "caller, then denied":
            statements.append(
                stmt("Deny", action if action in TRUST_ACTIONS else "sts:*", principal={"AWS": caller.arn})
            )
        trust = trust_policy(*statements)
    identity = policy_or_none(
        draw,
        caller,
        None,
        doc(stmt("Allow", action, target)),
        ALLOW_ALL,
        doc(stmt("Allow", "*"), stmt("Deny", action, target)),
    )
    boundary = policy_or_none(
        draw, caller, None, ALLOW_ALL, doc(stmt("Allow", ["iam:*", "sts:*"])), doc(stmt("Allow", "s3:*"))
    )
    return trust_case(caller, account, action, trust, identity, boundary, declared=trusted != "undeclared role")


def trust_case(
    caller: Caller,
    account: str,
    action: str,
    trust: Json | None,
    identity: Json | None,
    boundary: Json | None,
    *,
    declared: bool = True,
) -> Case:
    """`action` on the role `target` of `account`, whose trust policy is `trust`; or on a role the model does not
    declare (its trust policy unknown, as simulate-custom-policy's without a ResourcePolicy)."""
    target = f"arn:aws:iam::{account}:role/target"
    model = ModelBuilder("trust policies and role actions")
    model.caller(caller, identity, boundary)
    if declared:
        model.role(account, "target", trust)
    case = Case("trust", caller, action, target, model.build(), identity, boundary, trust, account)
    if declared and trust is None and action in TRUST_ACTIONS:
        # A role without a trust policy cannot be assumed; simulate-custom-policy has no way to say "this role has no
        # trust policy" (no ResourcePolicy means "no resource policy simulated", and every real role has one).
        case.skip[CUSTOM] = "no trust-policy notion for a role without one"
    return case


SECRET = f"arn:aws:secretsmanager:us-east-1:{A}:secret:db-password-AbCdEf"
TAGGED = {
    # resource kind: (ARN, actions on it, the prefixes of its ResourceTag keys)
    "user": (f"arn:aws:iam::{A}:user/bob", ["iam:DeleteUser", "iam:GetUser", "iam:TagUser"], ("aws", "iam")),
    "role": (f"arn:aws:iam::{A}:role/target", ["iam:DeleteRole", "iam:GetRole", "iam:TagRole"], ("aws", "iam")),
    "secret": (SECRET, ["secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"], ("aws", "secretsmanager")),
}


@st.composite
def resource_tag_cases(draw: st.DrawFn) -> Case:
    """An Allow, or a Deny under Allow *, conditioned on aws:ResourceTag/status or a service-prefixed
    iam:ResourceTag/status / secretsmanager:ResourceTag/status (perhaps not the resource's own service), on a user,
    role or secret that has the tag or not."""
    caller = draw(CALLERS)
    kind = draw(st.sampled_from(sorted(TAGGED)))
    action = draw(st.sampled_from(TAGGED[kind][1]))
    tags = draw(st.sampled_from([{}, {"status": "active"}, {"status": "inactive"}]))
    prefix = draw(st.sampled_from(["aws", "iam", "secretsmanager"]))
    operator = draw(st.sampled_from(["StringEquals", "StringNotEquals", "StringLike"]))
    covered = draw(st.sampled_from([action, f"{action.split(':')[0]}:*", "*"]))
    condition = {operator: {f"{prefix}:ResourceTag/status": "active"}}
    identity = policy_or_none(
        draw,
        caller,
        doc(stmt("Allow", "*"), stmt("Deny", covered, condition=condition)),
        doc(stmt("Allow", covered, condition=condition)),
    )
    return tag_case(caller, kind, action, tags, identity)


def tag_case(caller: Caller, kind: str, action: str, tags: dict[str, str], identity: Json | None) -> Case:
    """`action` on a resource of `kind` (see TAGGED) tagged `tags`."""
    target, _, prefixes = TAGGED[kind]
    model = ModelBuilder("resource tags")
    model.caller(caller, identity, None)
    if kind == "user":
        model.user(A, "bob", tags=tags)
    elif kind == "role":
        model.role(A, "target", None, tags=tags)  # no trust policy: nothing for a twin to mistake for a resource policy
    else:
        model.resource(A, SECRET, None, tags=tags)
    return Case("resource-tag", caller, action, target, model.build(), identity, None, None, A, tags, prefixes)


@st.composite
def kms_cases(draw: st.DrawFn) -> Case:
    """A KMS key with no key policy, the default one, one naming the caller or someone else, or one that denies."""
    caller = draw(CALLERS)
    owner = draw(st.sampled_from([A, B]))
    key = f"arn:aws:kms:us-east-1:{owner}:key/{KEY_ID}"
    action = draw(st.sampled_from(["kms:Decrypt", "kms:DescribeKey", "kms:ScheduleKeyDeletion"]))
    which = draw(st.sampled_from(sorted(KEY_POLICIES)))
    identity = policy_or_none(
        draw,
        caller,
        None,
        doc(stmt("Allow", "kms:*")),
        doc(stmt("Allow", action, key)),
        doc(stmt("Allow", "*"), stmt("Deny", action, key)),
    )
    return kms_case(caller, owner, action, which, identity)


KEY_POLICIES = [
    "undeclared",
    "declared without a policy",
    "default",
    "names the caller",
    "names the caller's account",
    "names an outsider",
    "default, denies the caller",
]


def kms_case(caller: Caller, owner: str, action: str, which: str, identity: Json | None) -> Case:
    """`action` on a KMS key of `owner` whose key policy is `which` of KEY_POLICIES."""
    key = f"arn:aws:kms:us-east-1:{owner}:key/{KEY_ID}"
    enable_iam = stmt("Allow", "kms:*", principal={"AWS": f"arn:aws:iam::{owner}:root"})
    policies: dict[str, Json | None] = {
        "default": doc(enable_iam),
        "names the caller": doc(stmt("Allow", "kms:*", principal={"AWS": caller.arn})),
        "names the caller's account": doc(stmt("Allow", "kms:*", principal={"AWS": A})),
        "names an outsider": doc(stmt("Allow", "kms:*", principal={"AWS": OUTSIDER_ARN})),
        "default, denies the caller": doc(enable_iam, stmt("Deny", action, principal={"AWS": caller.arn})),
    }
    policy = policies.get(which)
    model = ModelBuilder("KMS key policies")
    model.caller(caller, identity, None)
    if which != "undeclared":
        model.resource(owner, key, policy)
    return Case("kms-key", caller, action, key, model.build(), identity, None, policy, owner)


@st.composite
def aws_alias_cases(draw: st.DrawFn) -> Case:
    """An AWS managed KMS alias (alias/aws/s3): identity Allow, Deny, both, or nothing."""
    caller = draw(CALLERS)
    # kms:DescribeKey is authorized on the key, not the alias (the catalogue refuses it on an alias ARN)
    action = draw(st.sampled_from(["kms:DeleteAlias", "kms:UpdateAlias", "kms:CreateAlias"]))
    identity = policy_or_none(
        draw,
        caller,
        None,
        doc(stmt("Allow", "kms:*")),
        doc(stmt("Deny", action, AWS_ALIAS)),
        doc(stmt("Allow", "*"), stmt("Deny", action, AWS_ALIAS)),
        doc(stmt("Allow", "*"), stmt("Deny", "*")),
    )
    model = ModelBuilder("AWS managed alias")
    model.caller(caller, identity, None)
    return Case("aws-alias", caller, action, AWS_ALIAS, model.build(), identity, None, None, A)


@st.composite
def sts_cases(draw: st.DrawFn) -> Case:
    """sts:GetCallerIdentity and sts:GetSessionToken, with and without a Deny, for users, role sessions and root."""
    caller = draw(CALLERS)
    action = draw(st.sampled_from(["sts:GetCallerIdentity", "sts:GetSessionToken"]))
    identity = policy_or_none(
        draw,
        caller,
        None,
        doc(stmt("Allow", "sts:*")),
        doc(stmt("Deny", action)),
        doc(stmt("Allow", "*"), stmt("Deny", action)),
        doc(stmt("Deny", "*")),
    )
    boundary = policy_or_none(draw, caller, None, ALLOW_ALL, doc(stmt("Allow", "s3:*")))
    model = ModelBuilder("STS calls")
    model.caller(caller, identity, boundary)
    case = Case("sts", caller, action, "*", model.build(), identity, boundary)
    if action == "sts:GetCallerIdentity":
        case.skip[DIFF] = "the diff never explores sts:GetCallerIdentity (docs/diff.md: no policy can change it)"
    else:  # the same holds for GetSessionToken ("You cannot use policies to control authentication operations")
        case.diff_may_omit = "the diff may leave out sts:GetSessionToken, which no policy controls"
    return case


def _root_skips(case: Case) -> Case:
    if case.caller.kind is CallerKind.ROOT:
        case.skip[DIFF] = "the account root user is not a caller of the diff's request space (docs/diff.md)"
    return case


def assert_agreement(case: Case) -> None:
    answers = decisions(case)
    assert len(set(answers.values())) == 1, disagreement(case, answers)


# ------------------------------------------------------------------------------------------------- the property
# Disagreements the property found, minimised, kept as explicit examples of their shape (they run first, every time).
ALICE = Caller(CallerKind.USER)
ROOT = Caller(CallerKind.ROOT)
ROLE_TARGET = f"arn:aws:iam::{A}:role/target"
TRUSTS_ACCOUNT = trust_policy(stmt("Allow", "sts:AssumeRole", principal={"AWS": ROOT_ARN}))

KNOWN: dict[str, list[Callable[[], Case]]] = {
    "trust": [
        # be29a90: simulate-custom-policy took the trust policy as the resource policy of iam:* actions too
        # (implicitDeny; everything else allowed)
        lambda: trust_case(ALICE, A, "iam:TagRole", TRUSTS_ACCOUNT, ALLOW_ALL, None),
        # be29a90: the twins let root assume a role (allowed); check / explain / evaluate refused it (implicitDeny)
        lambda: trust_case(
            ROOT, A, "sts:AssumeRole", trust_policy(stmt("Allow", "sts:AssumeRole", principal="*")), None, None
        ),
        # be29a90: a trust-policy Deny made the twins' answer for root explicitDeny, the scenario's implicitDeny
        lambda: trust_case(
            ROOT,
            A,
            "sts:AssumeRole",
            trust_policy(
                stmt("Allow", "sts:AssumeRole", principal={"AWS": ROOT_ARN}),
                stmt("Deny", "sts:AssumeRole", principal={"AWS": ROOT_ARN}),
            ),
            None,
            None,
        ),
        # be29a90 and cca7132: a role without a trust policy, an identity Deny on AssumeRole: the AssumeRole flow
        # (evaluate, check, explain, diff) says implicitDeny (the role cannot be assumed), simulate-principal-policy
        # says explicitDeny (and sts:TagSession on the same role is explicitDeny everywhere)
        lambda: trust_case(ALICE, A, "sts:AssumeRole", None, doc(stmt("Deny", "sts:AssumeRole", ROLE_TARGET)), None),
    ],
    "resource-tag": [
        # be29a90: the scenario side (evaluate, check, explain, simulate-principal-policy, diff) did not set
        # iam:ResourceTag/K from a user's tags (allowed); simulate-custom-policy, given it, said explicitDeny
        lambda: tag_case(
            ALICE,
            "user",
            "iam:DeleteUser",
            {"status": "active"},
            doc(
                stmt("Allow", "*"), stmt("Deny", "*", condition={"StringEquals": {"iam:ResourceTag/status": "active"}})
            ),
        ),
    ],
    "kms-key": [
        # be29a90: simulate-custom-policy allowed a key without a ResourcePolicy (identity Allow); the scenario side,
        # with the key declared without a policy, said implicitDeny
        lambda: kms_case(ALICE, A, "kms:Decrypt", "declared without a policy", doc(stmt("Allow", "kms:*"))),
        # (and an undeclared key, on which be29a90 agreed on allowed: it must stay with the key without a policy)
        lambda: kms_case(ALICE, A, "kms:Decrypt", "undeclared", doc(stmt("Allow", "kms:*"))),
        lambda: kms_case(ROOT, A, "kms:Decrypt", "declared without a policy", None),
    ],
}

SHAPES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    "not-principal": not_principal_cases,
    "trust": trust_cases,
    "resource-tag": resource_tag_cases,
    "kms-key": kms_cases,
    "aws-alias": aws_alias_cases,
    "sts": sts_cases,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_entry_point_gives_the_same_decision(shape: str) -> None:
    def agree(case: Case) -> None:
        assert_agreement(case)

    for known in KNOWN.get(shape, []):
        agree = example(_root_skips(known()))(agree)
    bounded(25)(given(SHAPES[shape]().map(_root_skips))(agree))()


# ------------------------------------------------------------------------------------------------- the known bugs
# Hand-written cases with the decision AWS documents, and the sentence it follows (issue 11). Each is put to every
# entry point that can express it (`check` through the CLI too); all must give the documented answer. Every one of
# them failed on be29a90 and passes since cca7132, which fixed them; so none carries an xfail marker. A case that
# fails again is a regression of that item (mark it `pytest.mark.xfail(strict=True, reason="issue 11 item N")`
# only while a fix is under way).

REFUSED = frozenset({"implicitDeny", "explicitDeny"})


@dataclass(frozen=True)
class Documented:
    """A case and the answers AWS documents for it."""

    item: int
    sentence: str
    case: Callable[[], Case]
    expected: frozenset[str]


def _item_1() -> Case:
    identity = doc(
        stmt("Allow", "*"),
        stmt("Deny", "iam:DeleteUser", condition={"StringEquals": {"iam:ResourceTag/status": "active"}}),
    )
    model = ModelBuilder("item 1: iam:ResourceTag on a user")
    model.caller(ALICE, identity, None)
    model.user(A, "bob", tags={"status": "active"})
    target = f"arn:aws:iam::{A}:user/bob"
    return Case(
        "documented",
        ALICE,
        "iam:DeleteUser",
        target,
        model.build(),
        identity,
        None,
        None,
        A,
        {"status": "active"},
        ("aws", "iam"),
    )


def _not_principal_bucket(caller: Caller, boundary: Json | None, statements: list[Json], title: str) -> Case:
    identity = doc(stmt("Allow", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/*"))
    policy = doc(*statements)
    model = ModelBuilder(title)
    model.caller(caller, identity, boundary)
    model.bucket(A, BUCKET, policy)
    return Case("documented", caller, "s3:GetObject", OBJECT, model.build(), identity, boundary, policy, A)


def _item_2() -> Case:
    allow = stmt("Allow", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/*", not_principal={"AWS": OUTSIDER_ARN})
    return _not_principal_bucket(ALICE, None, [allow], "item 2: Allow with NotPrincipal")


def _item_3() -> Case:
    deny = stmt("Deny", "s3:*", f"arn:aws:s3:::{BUCKET}/*", not_principal={"AWS": [ALICE.arn, ROOT_ARN]})
    return _not_principal_bucket(ALICE, ALLOW_ALL, [deny], "item 3: NotPrincipal Deny and a boundary")


def _item_4(action: str) -> Callable[[], Case]:
    def make() -> Case:
        trust = trust_policy(stmt("Allow", TRUST_ACTIONS, principal={"AWS": ROOT_ARN}))
        model = ModelBuilder("item 4: root and role trust")
        model.caller(ROOT, None, None)
        model.role(A, "target", trust)
        target = f"arn:aws:iam::{A}:role/target"
        case = Case("documented", ROOT, action, target, model.build(), None, None, trust, A)
        case.skip[DIFF] = "the account root user is not a caller of the diff's request space (docs/diff.md)"
        return case

    return make


def _item_5() -> Case:
    identity = doc(stmt("Allow", "iam:GetRole", f"arn:aws:iam::{A}:role/target"))
    trust = trust_policy(stmt("Allow", "sts:AssumeRole", principal={"Service": "ec2.amazonaws.com"}))
    model = ModelBuilder("item 5: a trust policy does not govern iam:GetRole")
    model.caller(ALICE, identity, None)
    model.role(A, "target", trust)
    return Case(
        "documented", ALICE, "iam:GetRole", f"arn:aws:iam::{A}:role/target", model.build(), identity, None, trust, A
    )


def _item_6() -> Case:
    identity = doc(stmt("Allow", "*"), stmt("Deny", "kms:DeleteAlias", AWS_ALIAS))
    model = ModelBuilder("item 6: a Deny on an AWS managed alias")
    model.caller(ALICE, identity, None)
    return Case("documented", ALICE, "kms:DeleteAlias", AWS_ALIAS, model.build(), identity, None, None, A)


def _item_7() -> Case:
    key = f"arn:aws:kms:us-east-1:{A}:key/{KEY_ID}"
    identity = doc(stmt("Allow", "kms:*"))
    model = ModelBuilder("item 7: a key without a key policy")
    model.caller(ALICE, identity, None)
    model.resource(A, key, None)
    return Case("documented", ALICE, "kms:Decrypt", key, model.build(), identity, None, None, A)


DOCUMENTED = [
    pytest.param(
        Documented(
            1,
            "Control access to user or role resources based on their tags. To do this, use the "
            "iam:ResourceTag/key-name condition key",
            _item_1,
            frozenset({"explicitDeny"}),
        ),
        id="item 1: iam:ResourceTag/status on a tagged user",
    ),
    pytest.param(
        Documented(
            2,
            'NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported.',
            _item_2,
            frozenset({INVALID}),
        ),
        id="item 2: Allow with NotPrincipal is invalid input",
    ),
    pytest.param(
        Documented(
            3,
            "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions "
            "boundary policy attached, regardless of the values specified in the NotPrincipal element.",
            _item_3,
            frozenset({"explicitDeny"}),
        ),
        id="item 3: NotPrincipal Deny denies a principal with a boundary",
    ),
    *(
        pytest.param(
            Documented(
                4,
                "You cannot switch to a role when you sign in as the AWS account root user",
                _item_4(action),
                REFUSED,
            ),
            id=f"item 4: root cannot {action}",
        )
        for action in TRUST_ACTIONS
    ),
    pytest.param(
        Documented(
            5,
            "a role's trust policy is its resource-based policy for the trust actions only (sts:AssumeRole, "
            "sts:TagSession, ...); iam:GetRole is authorized by the identity policy",
            _item_5,
            frozenset({"allowed"}),
        ),
        id="item 5: iam:GetRole ignores the trust policy",
    ),
    pytest.param(
        Documented(
            6,
            "If the code finds even one explicit deny that applies, the code returns a final decision of Deny",
            _item_6,
            frozenset({"explicitDeny"}),
        ),
        id="item 6: Deny on an AWS managed alias is explicit",
    ),
    pytest.param(
        Documented(
            7,
            "Without permission from the key policy, IAM policies that allow permissions have no effect.",
            _item_7,
            frozenset({"implicitDeny"}),
        ),
        id="item 7: a key without a key policy",
    ),
]


@pytest.mark.parametrize("documented", DOCUMENTED)
def test_documented_decision_everywhere(documented: Documented) -> None:
    case = documented.case()
    answers = decisions(case, with_check_cli=True)
    if documented.item == 2:  # simulate-principal-policy can also be handed the policy on a model without it
        answers[f"{PRINCIPAL} (ResourcePolicy)"] = _principal_with_resource_policy(case)
    wrong = {name: answer for name, answer in answers.items() if answer not in documented.expected}
    assert not wrong, f"AWS: {documented.sentence!r} gives {sorted(documented.expected)}\n" + disagreement(
        case, answers
    )


def _principal_with_resource_policy(case: Case) -> str:
    """simulate-principal-policy with the case's resource policy as `ResourcePolicy`, on the model without it."""
    model = ModelBuilder("the same model without the resource policy")
    model.caller(case.caller, case.identity, case.boundary)
    data = {**case.principal_input(), "ResourcePolicy": json.dumps(case.resource_policy)}
    try:
        (result,) = simulate_principal_policy(Scenario.from_dict(model.build(), clock=fixed_clock), data)[
            "EvaluationResults"
        ]
    except PolicysimError:
        return INVALID
    return str(result["EvalDecision"])
