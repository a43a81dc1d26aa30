"""What every reporter shares, on the ground floor so that reporters of different results (`report/` for scenario
runs, `validate/` for findings) use one copy: text made safe to print, GitHub workflow commands, stable
fingerprints, and the tool's version. It imports nothing from policysim but `digest`.
"""

from __future__ import annotations

import json
from typing import Any

from policysim.digest import sha256


def fingerprint(*parts: str) -> str:
    """A stable hash of the parts (NUL-separated so that no two part lists collide)."""
    return sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _forbidden(code: int, keep_newlines: bool) -> bool:
    if code == 0x0A and keep_newlines:
        return False
    if code == 0x09:
        return False
    return code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Replace control characters (and whatever XML 1.0 forbids) with visible escapes such as `\\x1b`.

    The result is safe in a terminal (no escape sequences), in XML 1.0 and in one-line formats.
    """
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        code = ord(char)
        if not _forbidden(code, keep_newlines):
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


def escape_data(text: str) -> str:
    """Escape a command's message as GitHub's toolkit does: `%`, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as a message, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, properties: dict[str, str] | None = None) -> str:
    """`::name key=value,...::message`, escaped; control characters other than newlines made visible."""
    props = ",".join(f"{key}={escape_property(visible(value))}" for key, value in (properties or {}).items())
    head = f"::{name} {props}" if props else f"::{name}"
    return f"{head}::{escape_data(visible(message, keep_newlines=True))}"


def tool_version() -> str:
    """policysim's installed version, or `0.0.0` when it is not installed as a distribution."""
    from importlib import metadata  # 30 ms of imports: only for a report that names the version

    try:
        return metadata.version("policysim")
    except metadata.PackageNotFoundError:
        return "0.0.0"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif_log(rules: list[dict[str, Any]], results: list[dict[str, Any]], version: str | None = None) -> str:
    """A SARIF 2.1.0 log with one run of policysim: its rules and results (`version` overrides the tool version)."""
    driver = {"name": "policysim", "version": version if version is not None else tool_version(), "rules": rules}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}],
    }
    return json.dumps(log, indent=2, ensure_ascii=True) + "\n"
