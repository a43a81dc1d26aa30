"""Finding suppressions (`suppress_findings` in the configuration, docs/configuration.md): a suppressed finding is
still reported, marked with the reason, and never fails the run.

Every field but `reason` is a glob of policysim's own wildcard matcher (`*` any run, `?` one character). `code` must
match some code of the catalogue: a misspelt code is a configuration error, not a suppression that silently never
applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from policysim.config import Config, FindingSuppression
from policysim.errors import ConfigError
from policysim.ir.pattern import Glob

from .codes import Code
from .findings import Finding


def _glob(text: str | None) -> Glob | None:
    return Glob.compile(text) if text is not None else None


def apply_suppressions(
    config: Config, findings: Sequence[Finding], cwd: Path, *, checked: Sequence[str] = (), partial: bool = False
) -> tuple[list[Finding], list[FindingSuppression]]:
    """The findings with every matched one marked suppressed (the first matching suppression's reason), and the
    suppressions that matched none. In a `partial` run (files named on the command line, as pre-commit does), a
    suppression whose `file` glob names none of the `checked` files is not reported as unused."""
    rules = []
    for suppression in config.suppress_findings:
        code = Glob.compile(suppression.code)
        if not any(code.matches(c.value) for c in Code):
            raise ConfigError(
                f"`{suppression.code}` matches no finding code", suppression.location, "see docs/validate.md"
            )
        fields = (_glob(suppression.file), _glob(suppression.policy), _glob(suppression.statement))
        rules.append((suppression, code, *fields))
    used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        file = config.relative_name(finding.file, cwd) if finding.file else ""
        hit = None
        for index, (_, code, file_glob, policy, statement) in enumerate(rules):
            if not code.matches(finding.code.value):
                continue
            if file_glob is not None and not file_glob.matches(file):
                continue
            if policy is not None and not policy.matches(finding.policy):
                continue
            if statement is not None and (finding.statement is None or not statement.matches(finding.statement)):
                continue
            used.add(index)
            hit = index if hit is None else hit
        out.append(replace(finding, suppressed=rules[hit][0].reason) if hit is not None else finding)
    names = [config.relative_name(name, cwd) for name in checked]
    unused = [
        suppression
        for index, (suppression, _, file_glob, _, _) in enumerate(rules)
        if index not in used and (not partial or file_glob is None or any(map(file_glob.matches, names)))
    ]
    return out, unused
