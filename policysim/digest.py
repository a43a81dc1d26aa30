"""SHA-256, without `hashlib`'s start-up cost where the interpreter has its own implementation.

`import hashlib` loads OpenSSL's libcrypto and probes its algorithms: about 3 ms of every start that derives a
unique id or a fingerprint (docs/performance.md, "Start-up"). CPython also builds SHA-256 itself, as `_sha2`
(3.12 and later) or `_sha256` (3.11): the module `hashlib` falls back to. The digest is the same either way
(tests/test_digest.py); an interpreter built without it uses `hashlib`. It imports nothing from policysim.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol


class _Hash(Protocol):
    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


def _constructor() -> Callable[[bytes], _Hash]:
    for name in ("_sha2", "_sha256"):
        try:
            found: Callable[[bytes], _Hash] = importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return found
    import hashlib

    return hashlib.sha256


sha256: Callable[[bytes], _Hash] = _constructor()
