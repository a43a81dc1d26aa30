"""The BinaryEquals operator.

"It compares the value of the specified key byte for byte against a base-64 encoded representation of the
binary value in the policy." Policy values are decoded (strict base64) at compile time; request values are
base64 text, decoded by a cached parser, and compared as bytes. "You can not use a policy variable with the
`Binary` condition operator."
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from policysim.context import RequestContext

from .values import BuildInput, Matcher, ValueTest


def parse_base64(text: str) -> bytes | None:
    """The bytes of strict base64 text, or None."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


request_bytes = lru_cache(maxsize=1024)(parse_base64)


def build_binary(spec: BuildInput) -> Matcher:
    """Compile BinaryEquals values."""
    values: set[bytes] = set()
    for text in spec.texts:
        value = parse_base64(text)
        if value is None:
            raise spec.invalid(text, "base64 value")
        values.add(value)
    return Matcher(_bytes_test(frozenset(values)))


def _bytes_test(members: frozenset[bytes]) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        decoded = request_bytes(value)
        return decoded is not None and decoded in members

    return test
