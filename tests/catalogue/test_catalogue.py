"""The action catalogue: the built-in file, its format and its errors, ARN formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from policysim.catalogue import ActionCatalogue, ArnFormat, builtin_catalogue
from policysim.errors import InputError


def test_builtin_catalogue_knows_the_tutorial_actions_and_their_resources() -> None:
    catalogue = builtin_catalogue()
    assert len(catalogue.actions) > 15000
    get = catalogue.get("S3:getobject")
    assert get is not None and get.name == "s3:GetObject"
    assert {f.type for f in get.resources} == {"object", "accesspointobject"}
    listing = catalogue.get("s3:ListAllMyBuckets")
    assert listing is not None and listing.resources == ()  # resource `*` only
    assume = catalogue.get("sts:AssumeRole")
    assert assume is not None and assume.resources[0].matches("arn:aws:iam::999999999999:role/UpdateData")
    assert "s3:getobject" in catalogue.by_service["s3"]


@pytest.mark.parametrize(
    ("fmt", "arn", "expected"),
    [
        ("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::shared", True),
        ("arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::shared/key", False),
        ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::shared/a/b:c", True),
        ("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::shared", False),
        ("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:role/path/r", True),
        ("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:user/u", False),
    ],
)
def test_arn_format_matches_its_resources(fmt: str, arn: str, expected: bool) -> None:
    assert ArnFormat.compile("svc", "type", fmt).matches(arn) is expected


def test_arn_format_example_fills_partition_account_and_region() -> None:
    fmt = ArnFormat.compile("ec2", "instance", "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}")
    assert fmt.example("aws", "111111111111") == "arn:aws:ec2:us-east-1:111111111111:instance/policysim-example"


def test_a_catalogue_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "services.tsv"
    path.write_text(
        "# mine\n@svc\tService\nT\tthing\tarn:${Partition}:svc:::${Name}\t\nA\tDoIt\tWrite\t\tthing\nA\tListAll\tList\t\t\n"
    )
    catalogue = ActionCatalogue.from_file(path)
    assert sorted(catalogue.actions) == ["svc:doit", "svc:listall"]
    assert catalogue.by_service == {"svc": ("svc:doit", "svc:listall")}


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("T\tthing\tarn:x\n", "a line before the first `@SERVICE` line", 1),
        ("# c\n\nA\tDoIt\tRead\nT\tthing\tarn:x\n@svc\tS\n", "a line before the first `@SERVICE` line", 3),
        ("@svc\tS\r\nT\tthing\tarn:x\t\r\nA\tDoIt\tRead\t\tother\r\n", "resource type `other` of `svc` is not declared", 3),
        ("@svc\tS\nA\tDoIt\tRead\n\u2028A\tdoit\tRead\n", "action `svc:doit` is listed twice", 4),
        ("@svc\n", "list index out of range", 1),
        ("@svc\tS\nA\tDoIt\n@other\tO\nA\tGo\tRead\n", "invalid action `svc:DoIt`", 2),
        ("@svc\tS\nA\tDoIt\tRead\t\tthing\nT\tthing\tarn:x\t\n", "resource type `thing` of `svc` is not declared", 2),
        ("@svc\tS\nA\tDo It\tRead\nT\tthing\tnot-an-arn\n", "invalid action `svc:Do It`", 2),
        ("@a\tA\nA\tx y\tRead\n@b\tB\nT\tt\tnot-an-arn\n", "invalid action `a:x y`", 2),
        ("@svc\tS\nT\tthing\n", "list index out of range", 2),
        ("@svc\tS\nT\tthing\tnot-an-arn\n", "does not start with `arn:`", 2),
        ("@svc\tS\nA\tDo It\tRead\t\t\n", "invalid action `svc:Do It`", 2),
        ("@svc\tS\nT\tthing\tarn:x\t\nA\tDoIt\tRead\t\tother\n", "resource type `other` of `svc` is not declared", 3),
        ("@svc\tS\nT\tthing\tarn:x\t\nT\tthing\tarn:y\t\n", "resource type `thing` of `svc` is declared twice", 3),
        ("@svc\tS\nA\tDoIt\tRead\t\t\nA\tdoit\tRead\t\t\n", "action `svc:doit` is listed twice", 3),
        ("@svc\tS\nX\tthing\n", "unknown line kind `X`", 2),
    ],
)
def test_a_malformed_catalogue_is_a_located_error(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = tmp_path / "services.tsv"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        ActionCatalogue.from_file(path)
    assert message in error.value.message
    assert error.value.location is not None and error.value.location.line == line


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_a_catalogue_without_a_service_is_empty(tmp_path: Path, text: str) -> None:
    from policysim.catalogue.services import ServiceCatalogue

    assert ServiceCatalogue.parse(text, "empty.tsv").prefixes() == []


def test_a_lazily_read_action_refuses_a_type_declared_after_it() -> None:
    from policysim.catalogue.services import _parse_sections

    (service,) = _parse_sections("@svc\tS\nA\tDoIt\tRead\t\tthing\nT\tthing\tarn:x\t\n", "f")
    with pytest.raises(InputError, match="resource type `thing` of `svc` is not declared") as error:
        service.action("doit")
    assert error.value.location is not None and error.value.location.line == 2


def test_an_unreadable_catalogue_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read action catalogue"):
        ActionCatalogue.from_file(tmp_path / "missing.txt")


def test_every_shipped_action_reads_and_only_the_asked_one_is_read_first() -> None:
    from policysim.catalogue.services import ServiceCatalogue

    catalogue = ServiceCatalogue.builtin()
    ec2 = catalogue.service("ec2")
    assert ec2 is not None and ec2.action("RunInstances") is not None
    assert list(vars(ec2.actions)["_read"]) == ["runinstances"]  # the other ~800 lines wait to be asked for
    read = [a for service in catalogue.services() for a in service.actions.values()]
    assert len(read) > 15000 and all(a.access_level for a in read)
