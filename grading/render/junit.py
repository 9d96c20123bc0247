"""JUnit XML in the shape pytest's ``--junitxml`` writes, one testcase per check.

Written from the grade (not from pytest's own junitxml) because a check's final
status — ``blocked``, partial credit — is only known once every check ran.
Each testcase carries ``check_id``, ``score``, ``max_score`` and ``status`` as
``<property>`` elements; the suite carries the totals, the fingerprint and, for an
incomplete run, ``incomplete`` (the reason) and ``not_run`` (comma-separated ids); for a
host that could not be graded, ``not_graded`` (the reason) and an empty ``score`` (suite and
testcases: no score, not a 0).
Every text and attribute goes through :func:`grading.render.safe.visible`: the
file is XML 1.0 whatever a container's log put in a message.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET

from grading.render.platforms import num, student_text
from grading.render.safe import visible
from grading.scoring import CheckResult, GradeResult


def _classname_and_name(check: CheckResult) -> tuple[str, str]:
    """``tests.provision.test_networks`` and ``test_dns_redis``, as pytest's junitxml names them."""
    nodeid = next((n for n in check.nodeids if n), f"{check.part}::{check.check_id}")
    path, _, rest = nodeid.partition("::")
    module = path.removesuffix(".py")
    names = rest.split("::")
    classname = ".".join([module.replace("/", "."), *names[:-1]])
    return classname, names[-1].split("[")[0]


def _properties(parent: ET.Element, values: dict[str, object]) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value="" if value is None else str(value))


def render_junit(result: GradeResult) -> str:
    lang = result.meta.lang
    counts = {
        "failures": sum(c.status == "failed" for c in result.checks),
        "errors": sum(c.status == "error" for c in result.checks),
        "skipped": sum(c.status in ("blocked", "skipped", "notrun") for c in result.checks),
    }
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="mobygrade",
        errors=str(counts["errors"]),
        failures=str(counts["failures"]),
        skipped=str(counts["skipped"]),
        tests=str(len(result.checks)),
        time=f"{result.meta.duration_s:.3f}",
        timestamp=result.meta.started_at,
        hostname=socket.gethostname(),
    )
    _properties(
        suite,
        {
            "score": num(result.score) if result.graded else "",
            "max_score": num(result.max_score),
            "min_score": num(result.min_score),
            "min_reached": str(result.reached).lower(),
            "mode": result.meta.mode,
            "checkpoint": result.meta.checkpoint,
            "suite_fingerprint": result.meta.fingerprint,
            "incomplete": result.incomplete.reason if result.incomplete else "",
            "not_run": ",".join(result.incomplete.not_run) if result.incomplete else "",
            "not_graded": result.meta.not_graded or "",
        },
    )
    for check in result.checks:
        classname, name = _classname_and_name(check)
        case = ET.SubElement(
            suite, "testcase", classname=classname, name=name, time=f"{check.duration_s:.3f}"
        )
        if check.filename:
            case.set("file", check.filename)
            case.set("line", str(check.line_no))
        _properties(
            case,
            {
                "check_id": check.check_id,
                "score": num(check.score) if result.graded else "",
                "max_score": num(check.max_score),
                "status": check.status,
                "category": check.category,
                "title": check.title,
            },
        )
        text = student_text(check, lang)
        first = check.message.splitlines()[0] if check.message else check.status
        if check.status == "failed":
            ET.SubElement(case, "failure", message=first).text = text
        elif check.status == "error":
            ET.SubElement(case, "error", message=first).text = text
        elif check.status in ("blocked", "skipped", "notrun"):
            ET.SubElement(case, "skipped", type="pytest.skip", message=first).text = text
        elif text:
            ET.SubElement(case, "system-out").text = text
    for element in suites.iter():
        element.text = visible(element.text) if element.text else element.text
        element.tail = visible(element.tail) if element.tail else element.tail
        for name, value in element.attrib.items():
            element.set(name, visible(value))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
