"""The access diff on real policy changes: each change shows exactly the requests whose decision changed."""

from __future__ import annotations

from diff_models import base_model, changed, explore_models, rows, user_policy

from policysim.enums import ChangeKind

ALICE = "arn:aws:iam::111111111111:user/alice"
BOB = "arn:aws:iam::111111111111:user/bob"
DEPLOYER = "arn:aws:iam::222222222222:role/Deployer"
NEW, REMOVED, DENY = "new-access", "removed-access", "deny-changed"
OBJECTS = (
    "arn:aws:s3:::app-data/policysim-example",
    "arn:aws:s3:::app-data/report.csv",
    "arn:aws:s3:::logs/old.log",
    "arn:aws:s3:::logs/policysim-example",
    "arn:aws:s3:::policysim-example/policysim-example",
)
OUTSIDE_OBJECTS = ("arn:aws:s3:::logs/old.log", "arn:aws:s3:::logs/policysim-example", OBJECTS[4])


def test_a_model_compared_with_itself_has_no_changes() -> None:
    exploration = explore_models(base_model(), base_model())
    assert exploration.changes == ()
    assert exploration.requests > 1000  # the space is not empty: the catalogue expands `s3:*`


def test_widened_resource_lists_the_objects_newly_readable() -> None:
    def widen(model: dict) -> None:  # type: ignore[type-arg]
        user_policy(model, "alice", "read-app-data")[0]["Resource"] = "*"

    found = rows(explore_models(base_model(), changed(widen)))
    assert found == {(NEW, ALICE, "s3:GetObject", r, ()) for r in OUTSIDE_OBJECTS}


def test_removed_deny_lists_the_deletes_now_allowed() -> None:
    def drop_deny(model: dict) -> None:  # type: ignore[type-arg]
        del user_policy(model, "bob", "s3-but-no-delete")[1]

    exploration = explore_models(base_model(), changed(drop_deny))
    found = rows(exploration)
    assert found == {(NEW, BOB, "s3:DeleteObject", r, ()) for r in OBJECTS} | {
        (DENY, BOB, "s3:DeleteObject", "arn:aws:s3:::releases/policysim-example", ())  # cross-account: still denied
    }
    change = next(c for c in exploration.changes if c.kind is ChangeKind.NEW_ACCESS)
    assert change.before is not None and change.before.reasons[0].statement is not None
    assert change.before.reasons[0].statement.sid == "NoDelete"  # the statement responsible, before
    assert change.after is not None and change.after.reasons[0].statement is not None
    assert change.after.reasons[0].statement.sid == "AllS3"  # and after


def test_added_condition_narrows_and_a_conditional_deny_opens_with_its_context_value() -> None:
    def add_conditions(model: dict) -> None:  # type: ignore[type-arg]
        user_policy(model, "alice", "read-app-data")[0]["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        user_policy(model, "bob", "s3-but-no-delete")[1]["Condition"] = {
            "StringNotEquals": {"aws:RequestedRegion": "us-east-1"}
        }

    found = rows(explore_models(base_model(), changed(add_conditions)))
    region = (("aws:RequestedRegion", "us-east-1"),)
    assert found == (
        {(REMOVED, ALICE, "s3:GetObject", r, ()) for r in OBJECTS[:2]}
        | {(NEW, BOB, "s3:DeleteObject", r, region) for r in OBJECTS}
        | {(DENY, BOB, "s3:DeleteObject", "arn:aws:s3:::releases/policysim-example", region)}
    )


def test_new_trust_principal_lets_bob_and_an_outside_account_assume_the_role() -> None:
    def trust_more(model: dict) -> None:  # type: ignore[type-arg]
        trust = model["accounts"]["222222222222"]["roles"]["Deployer"]["trust_policy"]["Statement"][0]
        trust["Principal"]["AWS"] = [ALICE, BOB, "333333333333"]

    found = rows(explore_models(base_model(), changed(trust_more)))
    outsider = "arn:aws:sts::333333333333:assumed-role/policysim-external-principal/policysim"
    assert found == {(NEW, BOB, "sts:AssumeRole", DEPLOYER, ()), (NEW, outsider, "sts:AssumeRole", DEPLOYER, ())}


def test_new_scp_removes_puts_everywhere_and_turns_implicit_denies_explicit() -> None:
    def add_scp(model: dict) -> None:  # type: ignore[type-arg]
        deny_put = {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}
        model["organization"]["policies"] = {"NoS3Put": {"Version": "2012-10-17", "Statement": [deny_put]}}
        model["organization"]["root"]["scps"] = ["FullAWSAccess", "NoS3Put"]

    found = rows(explore_models(base_model(), changed(add_scp)))
    releases = "arn:aws:s3:::releases/policysim-example"
    assert {r for r in found if r[0] == NEW} == set()
    assert {(r[1], r[3]) for r in found if r[0] == REMOVED} == {(BOB, r) for r in OBJECTS} | {(DEPLOYER, releases)}
    assert all(r[2] == "s3:PutObject" for r in found)
    assert {r[1] for r in found if r[0] == DENY} == {ALICE, BOB, DEPLOYER}


def test_a_new_file_is_all_new_access_and_a_removed_one_all_removed() -> None:
    added = explore_models(None, base_model())
    assert added.changes and all(c.kind is ChangeKind.NEW_ACCESS and c.before is None for c in added.changes)
    removed = explore_models(base_model(), None)
    assert {rows(removed) and r[0] for r in rows(removed)} == {REMOVED}
    assert len(removed.changes) == len(added.changes)


def test_reversing_the_models_swaps_new_and_removed_access() -> None:
    def widen(model: dict) -> None:  # type: ignore[type-arg]
        user_policy(model, "alice", "read-app-data")[0]["Resource"] = "*"

    forward = rows(explore_models(base_model(), changed(widen)))
    backward = rows(explore_models(changed(widen), base_model()))
    swap = {NEW: REMOVED, REMOVED: NEW, DENY: DENY}
    assert {(swap[k], *rest) for k, *rest in forward} == backward


def test_the_public_api_diffs_two_scenarios() -> None:
    import policysim

    def widen(model: dict) -> None:  # type: ignore[type-arg]
        user_policy(model, "alice", "read-app-data")[0]["Resource"] = "*"

    base, new = policysim.Scenario.from_dict(base_model()), policysim.Scenario.from_dict(changed(widen))
    exploration = policysim.diff_scenarios(base, new)
    assert {c.kind for c in exploration.changes} == {policysim.ChangeKind.NEW_ACCESS}
    named_only = policysim.diff_scenarios(base, new, catalogue=None)
    assert named_only.actions < exploration.actions
