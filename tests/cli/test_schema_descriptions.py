"""`policysim schema` describes every key: each property of each object in the schema has a description."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from policysim.cli import main
from policysim.model.policy import PolicyDocument


def printed_schema(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    with pytest.raises(SystemExit) as done:
        main(["schema"])
    out, _ = capsys.readouterr()
    assert done.value.code in (0, None)
    document: dict[str, Any] = json.loads(out)
    return document


def objects(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object that has `properties`, anywhere in the document (definitions, nested, inline)."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield where, node
        for key, value in node.items():
            yield from objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from objects(value, f"{where}/{index}")


def undescribed(schema: dict[str, Any]) -> list[str]:
    return [
        f"{where}/properties/{name}"
        for where, node in objects(schema, "#")
        for name, prop in node["properties"].items()
        if not (isinstance(prop, dict) and isinstance(prop.get("description"), str) and prop["description"].strip())
    ]


def test_every_property_of_the_scenario_schema_has_a_description(capsys: pytest.CaptureFixture[str]) -> None:
    schema = printed_schema(capsys)
    definitions = schema.get("$defs", {})
    assert {"Account", "User", "Group", "Role", "Bucket", "Resource", "Organization", "Test"} <= set(definitions)
    checked = sum(len(node["properties"]) for _, node in objects(schema, "#"))
    assert checked > 50  # the walk really reached the definitions
    assert undescribed(schema) == []


def test_every_definition_has_a_description(capsys: pytest.CaptureFixture[str]) -> None:
    schema = printed_schema(capsys)
    missing = [name for name, node in schema.get("$defs", {}).items() if not node.get("description")]
    assert missing == []


def test_every_property_of_the_policy_document_schema_has_a_description() -> None:
    schema = PolicyDocument.model_json_schema()
    assert "Statement" in schema["properties"] and "PolicyStatement" in schema["$defs"]
    assert undescribed(schema) == []


def test_the_walk_finds_a_missing_description() -> None:
    schema = {"$defs": {"X": {"properties": {"a": {"type": "string"}, "b": {"description": "b", "type": "string"}}}}}
    assert undescribed(schema) == ["#/$defs/X/properties/a"]
