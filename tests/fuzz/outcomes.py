"""What the fuzz run got back, as a status histogram and as the classes of requests that
failed (a 5xx or no answer), each with its routes and one example."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from tests.fuzz.corpus import CaseBuilder, FuzzCase
from tests.fuzz.raw_http import RawAnswer

NGINX_HEALTH_BODY = b'{"status":"ok"}\n'
EXAMPLE_BYTES = 400


@dataclass(frozen=True)
class FuzzOutcome:
    """One request and its answer."""

    case: FuzzCase
    answer: RawAnswer

    @property
    def label(self) -> str:
        """The status, or why there was none."""
        return str(self.answer.status) if self.answer.status is not None else self.answer.problem

    @property
    def failed(self) -> bool:
        """Any 5xx (none of the stack's dependencies is down here), or no answer at all."""
        status = self.answer.status
        if status is None:
            return True
        return status >= 500

    @property
    def logged_by_nginx(self) -> bool:
        """Whether nginx writes an access log line for it: all but its own /healthz answer
        (access_log off there), which carries no request id as the services' answers do, and
        whose body a HEAD request does not get."""
        answer = self.answer
        if answer.status is None:
            return False
        own_health = answer.body_start == NGINX_HEALTH_BODY or (
            self.case.request.target.split(b"?", 1)[0] == b"/healthz"
        )
        return not (answer.status == 200 and own_health and not answer.has_request_id)


def isolated_failures(
    failures: list[FuzzOutcome], alone: dict[bytes, FuzzOutcome], builder: CaseBuilder
) -> list[FuzzOutcome]:
    """The failures, each replaced by its mutations sent one at a time that still fail (alone
    holds their outcomes by request), so that a class names the input that fails by itself;
    a failure no single mutation reproduces stays as it is, a combination."""
    found: dict[bytes, FuzzOutcome] = {}
    for outcome in failures:
        singles = [alone[case.request.to_bytes()] for case in builder.one_at_a_time(outcome.case)]
        failing = [single for single in singles if single.failed] or [outcome]
        for member in failing:
            found.setdefault(member.case.request.to_bytes(), member)
    return list(found.values())


def status_histogram(outcomes: list[FuzzOutcome]) -> Counter[str]:
    """How many answers of each status (or each kind of no answer)."""
    return Counter(outcome.label for outcome in outcomes)


def failing_classes(failures: list[FuzzOutcome]) -> list[str]:
    """One paragraph per class of failed request (its answer and kinds of mutation): how many,
    on which routes, and one example request as sent."""
    classes: defaultdict[tuple[str, tuple[str, ...]], list[FuzzOutcome]] = defaultdict(list)
    for outcome in failures:
        classes[(outcome.label, outcome.case.kinds)].append(outcome)
    paragraphs = []
    for (label, kinds), members in sorted(classes.items(), key=lambda item: -len(item[1])):
        routes = sorted({member.case.route.name for member in members})
        signed = sorted({"signed in" if m.case.signed_in else "signed out" for m in members})
        example = members[0]
        sent = example.case.request.to_bytes()
        shown = sent[:EXAMPLE_BYTES] + (b"..." if len(sent) > EXAMPLE_BYTES else b"")
        details = "; ".join(f"{m.kind}: {m.detail}" for m in example.case.mutations)
        paragraphs.append(
            f"{label} x {len(members)} for {' + '.join(kinds)} ({', '.join(signed)})\n"
            f"    routes: {', '.join(routes)}\n"
            f"    drawn: {details or '-'}\n"
            f"    example: {shown!r}\n"
            f"    answer: {example.answer.body_start[:160]!r}"
        )
    return paragraphs
