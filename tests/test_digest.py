"""policysim.digest: the interpreter's own SHA-256 gives hashlib's digests, and ids derived from it are stable."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from policysim.digest import sha256
from policysim.identifiers import unique_id


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_the_digest_is_hashlibs(data: bytes) -> None:
    assert sha256(data).digest() == hashlib.sha256(data).digest()
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_unique_id_is_the_prefix_and_17_base32_characters_of_the_arns_digest() -> None:
    # the value the builder gave before policysim.digest existed (base32 of hashlib's SHA-256): ids do not change
    assert unique_id("AROA", "arn:aws:iam::999999999999:role/UpdateData") == "AROAZ3PPN23V6JSDYV7Y3"
