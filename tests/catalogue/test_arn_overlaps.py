"""`ArnFormat.overlaps`: could some ARN of a resource type match a Resource pattern? Exact, so that a resource type
mismatch is reported only when it is certain."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policysim.catalogue.arn_format import ArnFormat
from policysim.catalogue.services import builtin_services
from policysim.ir.pattern import Glob

SERVICES = builtin_services()
FORMATS = [
    SERVICES.service(prefix).types[name].arn  # type: ignore[union-attr]
    for prefix, name in (
        ("s3", "bucket"),
        ("s3", "object"),
        ("iam", "role"),
        ("logs", "log-stream"),
        ("ec2", "instance"),
        ("sqs", "queue"),
        ("kms", "key"),
        ("lambda", "function"),
    )
]
BUCKET, OBJECT = FORMATS[0], FORMATS[1]


def test_bucket_and_object_patterns() -> None:
    assert BUCKET.overlaps("arn:aws:s3:::reports*") and not OBJECT.overlaps("arn:aws:s3:::reports")
    assert not BUCKET.overlaps("arn:aws:s3:::reports/*") and OBJECT.overlaps("arn:aws:s3:::reports/*")
    assert BUCKET.overlaps("arn:aws:s3:::*") and OBJECT.overlaps("arn:aws:s3:::*")
    assert not BUCKET.overlaps("arn:aws:s3:::*/*")
    assert BUCKET.overlaps("*") and BUCKET.overlaps("arn:*")
    assert not BUCKET.overlaps("arn:aws:iam::*:role/*")
    assert BUCKET.overlaps("arn:aws:s3:::re?orts") and not BUCKET.overlaps("arn:aws:s3:::re?orts/x")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FORMATS), st.data())
def test_a_pattern_made_from_an_arn_of_the_type_overlaps_it(fmt: ArnFormat, data: st.DataObject) -> None:
    arn = fmt.example("aws", "111122223333")
    start = data.draw(st.integers(0, len(arn)))
    end = data.draw(st.integers(start, len(arn)))
    wildcard = data.draw(st.sampled_from(["*", "?" * (end - start), ""]))
    pattern = arn[:start] + wildcard + arn[end:]
    if Glob.compile(pattern).matches(arn):
        assert fmt.overlaps(pattern), (fmt.text, pattern)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FORMATS), st.text(alphabet="arnws3:/*?-abcxyz0123456789", max_size=40))
def test_overlap_agrees_with_matching_for_plain_arns(fmt: ArnFormat, text: str) -> None:
    if "*" not in text and "?" not in text:
        assert fmt.overlaps(text) == fmt.matches(text)
    elif fmt.overlaps(text):
        return
    # no overlap claimed: then no example of the type matches the pattern either
    prefix = text.split("*")[0].split("?")[0]
    for example in (fmt.example("aws", "111122223333"), *fmt.examples_after(prefix, "aws", "111122223333")):
        assert not Glob.compile(text).matches(example), (fmt.text, text, example)
