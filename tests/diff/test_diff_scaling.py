"""The diff puts to both models only the requests a difference reaches (policysim/diff/delta.py): that must find
exactly the changes that putting every request of the space finds, in the same order, whatever the change."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from diff_models import base_model, changed, user_policy

from policysim.catalogue import ActionCatalogue, builtin_catalogue
from policysim.diff.compare import Exploration, explore
from policysim.scenario.api import Scenario

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from bench_diff_models import CHANGES as BENCH_CHANGES
from bench_diff_models import DATA, DEV, PROD, scenario_model

Model = dict[str, Any]
REGRESSIONS = Path(__file__).with_name("regressions")
CLOCK = datetime(2026, 1, 1, tzinfo=UTC)


def scenario(model: Model) -> Scenario:
    return Scenario.from_dict(model, clock=lambda: CLOCK)


def answers(exploration: Exploration) -> list[tuple[object, ...]]:
    """Every change with both sides' decisions and reasons, in the order found."""
    return [
        (
            c.kind,
            c.probe.caller.key,
            c.probe.action.members,
            c.probe.resource,
            c.probe.context,
            *(None if o is None else (o.decision, o.gates, tuple(map(str, o.reasons))) for o in (c.before, c.after)),
        )
        for c in exploration.changes
    ]


def same_as_exhaustive(base: Scenario | None, new: Scenario | None, catalogue: ActionCatalogue | None) -> Exploration:
    reached = explore(base, new, catalogue)
    everything = explore(base, new, catalogue, exhaustive=True)
    assert answers(reached) == answers(everything)
    assert everything.unreached == 0 and everything.evaluated == everything.requests
    return reached


# ------------------------------------------------------------------------------------------ changes of a model


def allow(action: str | list[str], resource: str | list[str], **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def first_user(model: Model, account: str = DEV) -> dict[str, Any]:
    users: dict[str, Any] = model["accounts"][account]["users"]
    return users[sorted(users)[0]]


def first_role(model: Model, account: str = PROD) -> dict[str, Any]:
    roles: dict[str, Any] = model["accounts"][account]["roles"]
    return roles[sorted(roles)[0]]


def first_bucket(model: Model, account: str = DEV) -> str:
    return sorted(model["accounts"][account]["buckets"])[0]


def prepared() -> Model:
    """A seeded model of about twenty statements, with statements and tags each change below is sure to touch (S3
    requests are denied by the region guardrail unless `aws:RequestedRegion` is set: the others are easier to see)."""
    model = scenario_model(20, seed=3)
    bucket = first_bucket(model)
    user = first_user(model)
    user["tags"] = {"team": "red"}
    user["inline_policies"]["own"]["Statement"] = [
        allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*", Sid="Read"),
        allow("sqs:SendMessage", "*", Sid="Net", Condition={"IpAddress": {"aws:SourceIp": "10.1.0.0/16"}}),
        allow("dynamodb:GetItem", "*", Sid="Team", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}),
        allow(
            "s3:ListBucket",
            "*",
            Sid="Abac",
            Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
        ),
    ]
    model["accounts"][DEV]["buckets"][bucket] = {"tags": {"team": "red"}}
    role = first_role(model)
    role["tags"] = {"team": "red"}
    role["inline_policies"]["own"]["Statement"].append(
        allow("sqs:SendMessage", "*", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}})
    )
    return model


def add_user(model: Model) -> None:
    policy = {"Version": "2012-10-17", "Statement": [allow("s3:GetObject", "arn:aws:s3:::*")]}
    model["accounts"][DEV]["users"]["newcomer"] = {"inline_policies": {"p": policy}}


def add_user_without_policies(model: Model) -> None:
    model["accounts"][PROD]["users"]["idle"] = {}


def remove_role(model: Model) -> None:
    roles = model["accounts"][PROD]["roles"]
    del roles[sorted(roles)[0]]


def retag_user(model: Model) -> None:
    first_user(model)["tags"] = {"team": "violet"}


def widen_statement(model: Model) -> None:
    first_user(model)["inline_policies"]["own"]["Statement"][0]["Resource"] = "*"


def narrow_statement(model: Model) -> None:
    first_user(model)["inline_policies"]["own"]["Statement"][0]["Resource"] = "arn:aws:s3:::nowhere/*"


def add_deny(model: Model) -> None:
    first_user(model)["inline_policies"]["own"]["Statement"].append(
        {
            "Effect": "Deny",
            "Action": "dynamodb:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )


def widen_cidr(model: Model) -> None:
    first_user(model)["inline_policies"]["own"]["Statement"][1]["Condition"] = {
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}
    }


def variable_resource(model: Model) -> None:
    first_user(model)["inline_policies"]["own"]["Statement"].append(
        allow("s3:DeleteObject", f"arn:aws:s3:::{first_bucket(model)}/home/${{aws:username}}/*")
    )


def not_action(model: Model) -> None:
    first_user(model)["inline_policies"]["own"]["Statement"].append(
        {"Effect": "Allow", "NotAction": ["iam:*", "s3:DeleteObject"], "NotResource": "arn:aws:s3:::secret*"}
    )


def reorder_and_rename(model: Model) -> None:
    statements = first_user(model)["inline_policies"]["own"]["Statement"]
    statements.reverse()
    for index, statement in enumerate(statements):
        statement["Sid"] = f"Renamed{index}"


def change_managed_policy(model: Model) -> None:
    policies = model["accounts"][DEV]["policies"]
    policies[sorted(policies)[0]]["Statement"].append(allow("dynamodb:*", "*"))


def change_group(model: Model) -> None:
    groups = model["accounts"][DEV]["groups"]
    groups[sorted(groups)[0]]["inline_policies"]["own"]["Statement"][0]["Action"] = "sqs:*"


def add_boundary(model: Model) -> None:
    model["accounts"][DEV]["policies"]["Boundary"] = {"Version": "2012-10-17", "Statement": [allow("s3:*", "*")]}
    first_user(model)["permissions_boundary"] = "Boundary"


def change_scp(model: Model) -> None:
    guardrail = model["organization"]["policies"]["Guardrail"]["Statement"][0]
    guardrail["Condition"]["StringNotEquals"]["aws:RequestedRegion"].append("ap-south-1")


def add_rcp(model: Model) -> None:
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    }
    model["organization"]["policies"]["NoOutsiders"] = {"Version": "2012-10-17", "Statement": [deny]}
    model["organization"]["root"]["rcps"] = ["NoOutsiders"]


def move_account(model: Model) -> None:
    units = model["organization"]["units"]
    units["Workloads"]["accounts"].remove(DATA)
    units["Sandbox"] = {"parent": "root", "scps": ["FullAWSAccess"], "accounts": [DATA]}


def add_bucket(model: Model) -> None:
    model["accounts"][DATA]["buckets"]["fresh-bucket"] = {}


def open_bucket(model: Model) -> None:
    bucket = model["accounts"][DATA]["buckets"][sorted(model["accounts"][DATA]["buckets"])[0]]
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"}
    bucket["policy"] = {"Version": "2012-10-17", "Statement": [statement]}


def retag_bucket(model: Model) -> None:
    model["accounts"][DEV]["buckets"][first_bucket(model)]["tags"] = {"team": "violet"}


def trust_more(model: Model) -> None:
    first_role(model)["trust_policy"]["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::555555555555:root"}, "Action": "sts:AssumeRole"}
    )


def retag_role(model: Model) -> None:
    first_role(model)["tags"] = {"team": "violet"}


def queue_policy(model: Model) -> None:
    queue = model["accounts"][PROD]["resources"][0]
    queue["policy"]["Statement"][0]["Principal"] = {"AWS": f"arn:aws:iam::{DEV}:root"}


def grant_one_role(model: Model) -> None:
    roles = model["accounts"][PROD]["roles"]
    queue = model["accounts"][PROD]["resources"][0]
    queue["policy"]["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{PROD}:role/{sorted(roles)[-1]}"},
            "Action": "sqs:*",
            "Resource": queue["arn"],
        }
    )


def deny_all_but_one(model: Model) -> None:
    queue = model["accounts"][PROD]["resources"][0]
    queue["policy"]["Statement"].append(
        {
            "Effect": "Deny",
            "NotPrincipal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue["arn"],
        }
    )


def trust_one_user(model: Model) -> None:
    users = model["accounts"][PROD]["users"]  # of the role's own account: the trust policy alone allows
    first_role(model)["trust_policy"]["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PROD}:user/{sorted(users)[-1]}"}, "Action": "sts:*"}
    )


def unknown_policy(model: Model) -> None:
    first_user(model)["inline_policies"]["own"] = {"unknown": {"reason": "known after apply", "source": "plan.json"}}


CHANGES: list[Callable[[Model], None]] = [
    add_user,
    add_user_without_policies,
    remove_role,
    retag_user,
    widen_statement,
    narrow_statement,
    add_deny,
    widen_cidr,
    variable_resource,
    not_action,
    reorder_and_rename,
    change_managed_policy,
    change_group,
    add_boundary,
    change_scp,
    add_rcp,
    move_account,
    add_bucket,
    open_bucket,
    retag_bucket,
    trust_more,
    retag_role,
    queue_policy,
    grant_one_role,
    deny_all_but_one,
    trust_one_user,
    unknown_policy,
]


UNSEEN = {add_user_without_policies, reorder_and_rename}  # changes that change no answer


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__)
def test_each_kind_of_change_is_found_as_putting_every_request_finds_it(change: Callable[[Model], None]) -> None:
    model = prepared()
    new = copy.deepcopy(model)
    change(new)
    reached = same_as_exhaustive(scenario(model), scenario(new), None)
    assert reached.changes or change in UNSEEN


@pytest.mark.parametrize("seed", [1, 2, 5])
@pytest.mark.parametrize("change", sorted(BENCH_CHANGES))
def test_the_benchmark_changes_are_found_alike(seed: int, change: str) -> None:
    model = scenario_model(20, seed=seed)
    same_as_exhaustive(scenario(model), scenario(BENCH_CHANGES[change](model)), None)


def test_a_model_against_itself_puts_no_request() -> None:
    model = prepared()
    reached = same_as_exhaustive(scenario(model), scenario(model), None)
    assert reached.evaluated == 0 and reached.unreached == reached.requests > 0


@pytest.mark.parametrize("side", ["base", "new"])
def test_a_file_on_one_side_only_puts_every_request(side: str) -> None:
    model = scenario(prepared())
    base, new = (model, None) if side == "base" else (None, model)
    reached = same_as_exhaustive(base, new, None)
    assert reached.unreached == 0


@pytest.mark.parametrize(
    "case", sorted(p.name for p in REGRESSIONS.iterdir() if (p / "base.json").exists() and (p / "new.json").exists())
)
def test_the_review_regressions_are_found_alike(case: str) -> None:
    base, new = (Scenario.load(REGRESSIONS / case / f"{s}.json") for s in ("base", "new"))
    same_as_exhaustive(base, new, builtin_catalogue())


def test_the_fixture_model_with_the_whole_catalogue() -> None:
    def widen(model: Model) -> None:
        user_policy(model, "alice", "read-app-data")[0]["Resource"] = "*"
        user_policy(model, "bob", "s3-but-no-delete")[1]["Condition"] = {
            "StringNotEquals": {"aws:RequestedRegion": "us-east-1"}
        }

    reached = same_as_exhaustive(scenario(base_model()), scenario(changed(widen)), builtin_catalogue())
    assert reached.changes and reached.unreached > reached.evaluated
