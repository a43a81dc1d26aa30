"""Validating one policy: its size, the compiler's verdict, then every check on its view.

A policy the compiler refuses (`compile.compile_policy` raises a located `PolicyError` or `SchemaError`) is an
INVALID_POLICY finding with the compiler's message, an ERROR: AWS would refuse it too, and the rest of the policies
are still checked (exit code 1, not 2; exit 2 is for input that is not a policy at all). When a check reports the
same element under its own code (a duplicate Sid, `NotPrincipal` with `Allow`, ...), the compiler's error is not
repeated. A document the wire model refuses (an unknown element, a wrong type) gets no other check: its elements
cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterable

from policysim.compile import compile_policy
from policysim.errors import InputError
from policysim.model.records import PolicyDocument
from policysim.model.wire import read

from .checks import CHECKS
from .codes import Code, Severity
from .findings import Finding
from .policy import Policy, PolicySource, view
from .size import size_findings
from .vocabulary import Vocabulary


def validate_source(source: PolicySource, vocabulary: Vocabulary) -> list[Finding]:
    """Every finding of one policy."""
    findings, refused = size_findings(source)
    error: InputError | None = None
    if not refused:
        try:
            compile_policy(source.doc, source.name, source.kind)
        except InputError as exc:
            error = exc
    try:
        read(PolicyDocument, source.doc.data, source.doc.locate, f"{source.kind.value} policy `{source.name}`")
    except InputError as exc:
        return [*findings, _invalid(source, error or exc, None)]
    policy = view(source)
    for check in CHECKS:
        findings.extend(check(policy, vocabulary))
    if error is not None and not _reported(error, findings):
        findings.append(_invalid(source, error, policy))
    return findings


def _reported(error: InputError, findings: Iterable[Finding]) -> bool:
    """Does an ERROR finding already name the element the compiler refused?"""
    where = error.location
    return where is not None and any(
        f.severity is Severity.ERROR and f.location.path == where.path and f.location.file == where.file
        for f in findings
    )


def _invalid(source: PolicySource, error: InputError, policy: Policy | None) -> Finding:
    where = error.location or source.doc.locate(())
    label = None
    if policy is not None:
        label = next(
            (s.label for s in policy.statements if where.path[: len(s.path)] == s.path and s.path),
            None,
        )
    return Finding(Code.INVALID_POLICY, error.message, where, source.name, source.kind, label, error.hint)
