"""Names say what things are (issue 16 item 7): `UnresolvedReferenceError`, with `ReferenceError_` kept as a
deprecated alias of the same class because docs/api.md documented it."""

from __future__ import annotations

import pytest

import policysim
from policysim.errors import InputError, UnresolvedReferenceError


def test_the_unresolved_reference_error_and_its_old_name() -> None:
    assert policysim.UnresolvedReferenceError is UnresolvedReferenceError
    assert policysim.ReferenceError_ is UnresolvedReferenceError  # deprecated alias, the same class
    assert issubclass(UnresolvedReferenceError, InputError)
    assert "UnresolvedReferenceError" in policysim.__all__ and "ReferenceError_" in policysim.__all__
    with pytest.raises(policysim.ReferenceError_) as raised:
        policysim.Scenario.from_dict(
            {"scenario": "typo", "accounts": {"111111111111": {"users": {"u": {"groups": ["Developers"]}}}}}
        )
    assert type(raised.value).__name__ == "UnresolvedReferenceError"
    assert raised.value.code == "unresolved-reference"
