"""Helpers for the validate tests: policies validated in memory, the CLI run in process, golden files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from policysim.cli import main
from policysim.enums import PolicyKind
from policysim.load import load_json, load_yaml
from policysim.validate.findings import Finding
from policysim.validate.policy import Attachment, PolicySource
from policysim.validate.run import validate_source
from policysim.validate.vocabulary import Vocabulary

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
POLICIES = HERE / "policies"
GOLDEN = HERE / "golden"
VOCABULARY = Vocabulary()
V = "2012-10-17"


def findings_of(
    document: Any, kind: str = "identity", *, yaml_text: str | None = None, attachment: Attachment = Attachment.FILE
) -> list[Finding]:
    """The findings of one policy (a dict, written as indented JSON, or YAML text), validated in memory."""
    doc = (
        load_yaml(yaml_text, "policy.yaml")
        if yaml_text is not None
        else load_json(json.dumps(document, indent=2), "policy.json")
    )
    return validate_source(PolicySource(doc, "policy", PolicyKind(kind), attachment), VOCABULARY)


def codes_of(document: Any, kind: str = "identity") -> list[str]:
    """The codes of the findings of one policy."""
    return [f.code.value for f in findings_of(document, kind)]


def statement(**elements: Any) -> dict[str, Any]:
    """A policy of one statement (Version 2012-10-17)."""
    return {"Version": V, "Statement": [elements]}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`policysim ARGS` in process: exit code, standard output, standard error."""
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/validate/golden/NAME; `UPDATE_GOLDEN=1` rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"
