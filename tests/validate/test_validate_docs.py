"""The documentation keeps up with the code catalogue: every code has its section in docs/validate.md, with a
policy that triggers it, and the command and the package are where the other docs say they are."""

from __future__ import annotations

from validate_support import REPO

from policysim.validate import CATALOGUE, Code

VALIDATE_DOC = (REPO / "docs" / "validate.md").read_text(encoding="utf-8")


def test_every_code_has_a_section_with_an_example() -> None:
    for code in Code:
        heading = f"### `{code.value}`"
        assert heading in VALIDATE_DOC, code
        section = VALIDATE_DOC.split(heading, 1)[1].split("\n### ", 1)[0]
        assert "```json" in section or "```yaml" in section, f"{code} has no example policy"
        assert CATALOGUE[code].severity.value in section, f"{code}: severity not stated"


def test_the_other_docs_name_the_command_and_the_package() -> None:
    assert "## `policysim validate`" in (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "validate_paths" in (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert "suppress_findings" in (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert "validate" in (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
