"""The key a chain hop is remembered by (`Scenario._hop`) holds every AssumeRole parameter: two hops that differ in
any parameter are never taken for one another."""

from __future__ import annotations

import dataclasses
from typing import Any

from policysim.compiled import CompiledPolicy
from policysim.enums import PolicyKind
from policysim.flows.assume_role import AssumeParams, Via, hop_key

POLICY = CompiledPolicy("p", PolicyKind.SESSION, (), "2012-10-17")
CHANGED: dict[str, Any] = {
    "session_name": "other",
    "external_id": "x-1",
    "duration_seconds": 900,
    "session_policy": POLICY,
    "session_policy_chars": 10,
    "session_policy_arns": (POLICY,),
    "session_tags": {"team": "a"},
    "transitive_tag_keys": ("team",),
    "source_identity": "me",
    "via": Via.CONSOLE,
    "context": {"aws:sourceip": ("10.0.0.1",)},
}


def test_every_parameter_is_in_the_key() -> None:
    assert set(CHANGED) == {field.name for field in dataclasses.fields(AssumeParams)}
    plain = hop_key(AssumeParams())
    for name, value in CHANGED.items():
        assert hop_key(dataclasses.replace(AssumeParams(), **{name: value})) != plain, name
    assert hop_key(AssumeParams()) == plain
