"""The CloudFormation template decoder: JSON and YAML with the short-form tags, located, as CloudFormation reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policysim.errors import ParseError, SchemaError
from policysim.imports.cfn_decode import FUNCTION_TAGS, decode_template

FIXTURES = Path(__file__).parent / "fixtures" / "cloudformation"


def test_short_forms_become_long_forms() -> None:
    doc = decode_template(
        "Resources:\n"
        "  R:\n"
        "    Properties:\n"
        "      A: !Ref Env\n"
        "      B: !GetAtt Role.Arn\n"
        "      C: !GetAtt [Role, Arn]\n"
        "      D: !Sub '${AWS::Region}-x'\n"
        "      E: !Join ['', [a, !Ref B]]\n"
        "      F: !If [IsProd, 1, !Ref AWS::NoValue]\n"
        "      G: !Select [0, !GetAZs '']\n"
        "      H: !Split [',', !ImportValue shared-list]\n"
        "      I: !FindInMap [M, !Ref AWS::Region, Ami]\n"
        "      J: !Base64 text\n"
        "      K: !Cidr [10.0.0.0/16, 2, 8]\n"
        "      L: !GetAtt Stack.Outputs.Name\n"
        "Conditions:\n"
        "  C1: !And [!Equals [a, a], !Not [!Condition C2], !Or [!Condition C2, !Equals [b, b]]]\n"
        "  C2: !Equals [x, y]\n",
        "t.yaml",
    )
    props = doc.data["Resources"]["R"]["Properties"]
    assert props["A"] == {"Ref": "Env"}
    assert props["B"] == props["C"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert props["D"] == {"Fn::Sub": "${AWS::Region}-x"}
    assert props["E"] == {"Fn::Join": ["", ["a", {"Ref": "B"}]]}
    assert props["F"] == {"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}
    assert props["G"] == {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
    assert props["H"] == {"Fn::Split": [",", {"Fn::ImportValue": "shared-list"}]}
    assert props["I"] == {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Ami"]}
    assert props["J"] == {"Fn::Base64": "text"}
    assert props["K"] == {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}
    assert props["L"] == {"Fn::GetAtt": ["Stack", "Outputs.Name"]}  # split on the first dot only
    c1 = doc.data["Conditions"]["C1"]
    assert c1 == {
        "Fn::And": [
            {"Fn::Equals": ["a", "a"]},
            {"Fn::Not": [{"Condition": "C2"}]},
            {"Fn::Or": [{"Condition": "C2"}, {"Fn::Equals": ["b", "b"]}]},
        ]
    }


def test_every_function_tag_is_read() -> None:
    for name in sorted(FUNCTION_TAGS):
        doc = decode_template(f"Outputs:\n  O: {{Value: !{name} x.y}}\n", "t.yaml")
        value = doc.data["Outputs"]["O"]["Value"]
        assert list(value) == [f"Fn::{name}"]


def test_locations_of_wrappers_and_their_values() -> None:
    doc = decode_template(
        "Resources:\n  R:\n    Properties:\n      Arn: !GetAtt Foo.Arn\n      L: !Join\n        - ''\n        - [a, !Ref B]\n",
        "t.yaml",
    )
    base = ("Resources", "R", "Properties")
    assert doc.locate((*base, "Arn"), value=True).line == 4
    assert (doc.locate((*base, "Arn", "Fn::GetAtt", 1)).line, doc.locate((*base, "Arn", "Fn::GetAtt", 1)).column) == (
        4,
        12,
    )
    ref = doc.locate((*base, "L", "Fn::Join", 1, 1, "Ref"))
    assert (ref.file, ref.line, ref.column) == ("t.yaml", 7, 15)


def test_yaml_1_1_scalars_and_dates_stay_text() -> None:
    doc = decode_template(
        "Version: 2012-10-17\nWhen: 2001-12-14t21:59:43.10-05:00\nA: yes\nB: off\nC: 0755\nD: 1_000\nE: 12.5\nF: ~\nG: '2012-10-17'\nH: .inf\nI: !!str 10\n",
        "t.yaml",
    )
    assert doc.data == {
        "Version": "2012-10-17",
        "When": "2001-12-14t21:59:43.10-05:00",
        "A": True,
        "B": False,
        "C": 493,
        "D": 1000,
        "E": 12.5,
        "F": None,
        "G": "2012-10-17",
        "H": ".inf",
        "I": "10",
    }


def test_tagged_scalars_are_text() -> None:
    doc = decode_template("A: !Ref 123\nB: !Sub 2012-10-17\n", "t.yaml")
    assert doc.data == {"A": {"Ref": "123"}, "B": {"Fn::Sub": "2012-10-17"}}


@pytest.mark.parametrize(
    ("text", "error", "message", "line"),
    [
        ("a: &x 1\nb: *x\n", ParseError, "aliases and anchors are not allowed", 1),
        ("a: 1\nb:\n  <<: {c: 1}\n", ParseError, "merge keys", 3),
        ("a: 1\na: 2\n", SchemaError, "duplicate key `a` (first defined on line 1)", 2),
        ("a: !Foo x\n", ParseError, "unknown CloudFormation tag `!Foo`", 1),
        ("a: !!binary eA==\n", ParseError, "does not support the YAML tag `!!binary`", 1),
        ("a: !!set {x: null}\n", ParseError, "`!!set`", 1),
        ("a: !GetAtt NoDot\n", ParseError, "names no attribute", 1),
        ("a: 1\n---\nb: 2\n", ParseError, "holds several", 2),
        ("- 1\n", SchemaError, "is a mapping", 1),
        ("a: [1\n", ParseError, "invalid YAML", 2),
        ("? [a]\n: 1\n", SchemaError, "not collections", 1),
        ("", ParseError, "empty", 1),
    ],
)
def test_refused(text: str, error: type[Exception], message: str, line: int) -> None:
    with pytest.raises(error) as caught:
        decode_template(text, "bad.yaml")
    assert message in str(caught.value)
    assert caught.value.location is not None  # type: ignore[attr-defined]
    assert caught.value.location.line == line  # type: ignore[attr-defined]


def test_json_templates_keep_locations_and_refuse_duplicates() -> None:
    doc = decode_template(
        '{\n  "Resources": {\n    "R": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "N"}}}\n  }\n}\n',
        "t.json",
    )
    assert doc.data["Resources"]["R"]["Properties"]["BucketName"] == {"Ref": "N"}
    assert doc.locate(("Resources", "R")).line == 3
    with pytest.raises(SchemaError, match="duplicate"):
        decode_template('{"Resources": {}, "Resources": {}}', "t.json")


def test_a_flow_mapping_yaml_template_is_not_json() -> None:
    doc = decode_template("{Resources: {R: {Type: !Ref X}}}\n", "t.yaml")
    assert doc.data == {"Resources": {"R": {"Type": {"Ref": "X"}}}}


def test_the_fixtures_decode() -> None:
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".yaml", ".json") and "param" not in path.name and path.name != "manifest.json":
            doc = decode_template(path.read_bytes(), str(path))
            assert isinstance(doc.data, dict)


_KEYS = st.text(alphabet="abcdefgh", min_size=1, max_size=5)
_LEAVES = st.one_of(st.text(alphabet="abc xyz:/-*", max_size=8), st.integers(0, 10**6), st.booleans())


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        _LEAVES,
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
        max_leaves=12,
    )
)
def test_json_written_values_read_back_the_same(value: object) -> None:
    import json

    text = json.dumps({"Outputs": {"O": {"Value": value}}})
    assert decode_template(text, "t.json").data["Outputs"]["O"]["Value"] == value
    assert decode_template(text.replace("{", "{ ", 1), "t.yaml").data["Outputs"]["O"]["Value"] == value
