"""ArnEquals / ArnLike and ArnNotEquals / ArnNotLike.

"Case-sensitive matching of the ARN. Each of the six colon-delimited components of the ARN is checked
separately and each can include multi-character match wildcards (*) or single-character match wildcards (?).
The `ArnEquals` and `ArnLike` condition operators behave identically." Matching is `ArnGlob`
(policysim.ir.arn), built once per policy value. "You can use a policy variable with the `ARN` condition
operator."
"""

from __future__ import annotations

from policysim.context import RequestContext
from policysim.ir.arn import ArnGlob

from .values import BuildInput, Matcher, ValueTest


def build_arn(spec: BuildInput) -> Matcher:
    """Compile Arn-family values."""
    globs = tuple(ArnGlob.from_template(template) for template in spec.templates())
    return Matcher(_arn_test(globs))


def _arn_test(globs: tuple[ArnGlob, ...]) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        for glob in globs:  # noqa: SIM110 - a plain loop is faster
            if glob.matches_in(value, ctx):
                return True
        return False

    return test
