"""`policysim validate`: findings on policies, like AWS Access Analyzer's `validate-policy` and parliament, offline
and located (docs/validate.md).

Modules: `codes` (the catalogue of finding codes, as data), `findings` (what a run reports), `policy` (the policies
to check and the located view checks read), `vocabulary` (what checks ask the service catalogue), `checks/` (one
module per concern), `size` (quotas), `run` (one policy), `inputs` and `scenarios` (what PATHs hold), `suppress`
(the configuration's finding suppressions), `render` (text, JSON, SARIF, GitHub annotations).

The Python API::

    from policysim.validate import validate_paths
    for finding in validate_paths(["policies/deploy.json"], kind=PolicyKind.IDENTITY):
        print(finding.code, finding.severity, finding.file, finding.line, finding.message)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from policysim.enums import PolicyKind

from .codes import CATALOGUE, FAIL_ON, Code, CodeInfo, Severity
from .findings import Finding, Validation, sort_key
from .inputs import collect
from .run import validate_source
from .size import group_findings
from .vocabulary import Vocabulary

__all__ = [
    "CATALOGUE",
    "FAIL_ON",
    "Code",
    "CodeInfo",
    "Finding",
    "Severity",
    "Validation",
    "validate",
    "validate_paths",
]


def validate(paths: Iterable[str | Path], kind: PolicyKind | str | None = None) -> Validation:
    """Validate every policy the paths hold: the findings (in file order) and the inputs that could not be read."""
    inputs = collect([Path(p) for p in paths], PolicyKind(kind) if kind is not None else None)
    vocabulary = Vocabulary()
    findings = [f for source in inputs.sources for f in validate_source(source, vocabulary)]
    findings += group_findings(inputs.groups)
    return Validation(
        findings=tuple(sorted(findings, key=sort_key)),
        errors=tuple(inputs.errors),
        skipped=tuple(inputs.skipped),
        files=inputs.files,
        policies=len(inputs.sources),
    )


def validate_paths(paths: Iterable[str | Path], kind: PolicyKind | str | None = None) -> list[Finding]:
    """The findings on every policy in `paths` (policy files of `kind`, identity by default; scenario files;
    directories). Input that is not a policy or a scenario raises its located `policysim.PolicysimError` (the first
    of them)."""
    result = validate(paths, kind)
    if result.errors:
        raise result.errors[0]
    return list(result.findings)
