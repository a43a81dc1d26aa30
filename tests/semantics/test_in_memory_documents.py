"""One constructor for in-memory documents (issue 16 item 7): `Document.from_data`, used by `Scenario.from_dict`,
session policies given as dicts, the simulate twins' dict inputs and the diff's stand-in policy."""

from __future__ import annotations

import pytest

import policysim
from policysim.errors import Location, SchemaError
from policysim.load import Document


def test_from_data_is_a_json_copy_without_positions() -> None:
    data = {"Statement": ({"Effect": "Allow"},), "n": 1}
    doc = Document.from_data(data, "<dict>")
    assert doc.data == {"Statement": [{"Effect": "Allow"}], "n": 1}  # tuples become lists, as JSON has them
    data["n"] = 2
    assert doc.data["n"] == 1  # a copy: later changes to the caller's dict do not reach the document
    assert (doc.file, dict(doc.spans), dict(doc.key_spans)) == ("<dict>", {}, {})
    assert doc.locate(("Statement", 0)) == Location("<dict>", None, None, ("Statement", 0))


def test_data_json_cannot_hold_is_a_schema_error_not_a_crash() -> None:
    with pytest.raises(SchemaError) as raised:
        Document.from_data({"tags": {1, 2}}, "<dict>")
    assert raised.value.location == Location("<dict>")
    with pytest.raises(SchemaError):
        policysim.Scenario.from_dict({"scenario": "x", "accounts": {"111111111111": {"users": {"u": {"tags": {1}}}}}})
