"""Check a Gradescope ``results.json`` or a GitHub Classroom runner result against the
field lists those platforms publish: Gradescope's autograder specification ("Output
format", https://gradescope-autograders.readthedocs.io/en/latest/specs/) and the runner
result GitHub Classroom's autograding-grading-reporter decodes. The lists below are
pinned a second time in ``selftest/test_report_formats.py`` (``PUBLISHED``): changing one
without the other fails the self-tests. Each function returns the problems found, as
lines; ``[]`` is valid.

Used by the self-tests on every report the plugin writes; an instructor can run it
on a report too: ``python -m grading.validate gradescope results.json``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from typing import Any

GRADESCOPE_TOP = {
    "score", "execution_time", "output", "output_format", "visibility",
    "stdout_visibility", "extra_data", "tests", "leaderboard",
}
GRADESCOPE_TEST = {
    "score", "max_score", "status", "name", "number", "output", "output_format",
    "tags", "visibility", "extra_data",
}
GRADESCOPE_STATUS = {"passed", "failed"}
GRADESCOPE_FORMATS = {"text", "simple_format", "md", "html", "ansi"}
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
CLASSROOM_TOP = {"version", "status", "max_score", "tests"}
CLASSROOM_TEST = {
    "name", "status", "message", "test_code", "filename", "line_no", "duration", "score",
}
CLASSROOM_STATUS = {"pass", "fail", "error"}
_NUMBER = re.compile(r"^\d+(\.\d+)*$")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def gradescope_problems(payload: Any) -> list[str]:
    """Problems of a parsed ``results.json``."""
    if not isinstance(payload, dict):
        return ["results.json: not a JSON object"]
    problems = [f"results.json: unknown key {k!r}" for k in sorted(set(payload) - GRADESCOPE_TOP)]
    if "score" in payload and not _is_number(payload["score"]):
        problems.append("results.json: score is not a number")
    if "execution_time" in payload and not _is_number(payload["execution_time"]):
        problems.append("results.json: execution_time is not a number")
    for key, allowed in (("output_format", GRADESCOPE_FORMATS),
                         ("visibility", GRADESCOPE_VISIBILITY),
                         ("stdout_visibility", GRADESCOPE_VISIBILITY)):
        if key in payload and payload[key] not in allowed:
            problems.append(f"results.json: {key} {payload[key]!r} not in {sorted(allowed)}")
    tests = payload.get("tests")
    if not isinstance(tests, list):
        return problems + ["results.json: tests is not a list"]
    total = 0.0
    for index, test in enumerate(tests):
        where = f"results.json: tests[{index}]"
        if not isinstance(test, dict):
            problems.append(f"{where}: not an object")
            continue
        problems += [f"{where}: unknown key {k!r}" for k in sorted(set(test) - GRADESCOPE_TEST)]
        for key in ("score", "max_score"):
            if key not in test or not _is_number(test[key]):
                problems.append(f"{where}: {key} missing or not a number")
        if _is_number(test.get("score")) and _is_number(test.get("max_score")):
            total += test["score"]
            if not 0 <= test["score"] <= test["max_score"]:
                problems.append(f"{where}: score {test['score']} outside 0..{test['max_score']}")
        if test.get("status") not in GRADESCOPE_STATUS:
            problems.append(f"{where}: status {test.get('status')!r} not passed/failed")
        if not isinstance(test.get("name"), str) or not test.get("name"):
            problems.append(f"{where}: name missing")
        if "number" in test and not _NUMBER.match(str(test["number"])):
            problems.append(f"{where}: number {test['number']!r} is not like 1.4")
        if test.get("visibility", "visible") not in GRADESCOPE_VISIBILITY:
            problems.append(f"{where}: visibility {test.get('visibility')!r}")
        if test.get("output_format", "text") not in GRADESCOPE_FORMATS:
            problems.append(f"{where}: output_format {test.get('output_format')!r}")
        if "tags" in test and not all(isinstance(t, str) for t in test["tags"]):
            problems.append(f"{where}: tags must be strings")
    if _is_number(payload.get("score")) and abs(payload["score"] - total) > 0.005:
        problems.append(f"results.json: score {payload['score']} differs from the tests' sum {total}")
    return problems


def classroom_problems(payload: Any) -> list[str]:
    """Problems of a decoded Classroom runner result (the JSON inside the base64)."""
    if not isinstance(payload, dict):
        return ["classroom: not a JSON object"]
    problems = [f"classroom: unknown key {k!r}" for k in sorted(set(payload) - CLASSROOM_TOP)]
    problems += [f"classroom: missing key {k!r}" for k in sorted(CLASSROOM_TOP - set(payload))]
    if payload.get("version") != 1:
        problems.append(f"classroom: version {payload.get('version')!r} is not 1")
    if payload.get("status") not in CLASSROOM_STATUS:
        problems.append(f"classroom: status {payload.get('status')!r} not pass/fail/error")
    if not _is_number(payload.get("max_score")):
        problems.append("classroom: max_score is not a number")
    tests = payload.get("tests")
    if not isinstance(tests, list):
        return problems + ["classroom: tests is not a list"]
    total = 0.0
    for index, test in enumerate(tests):
        where = f"classroom: tests[{index}]"
        if not isinstance(test, dict):
            problems.append(f"{where}: not an object")
            continue
        problems += [f"{where}: unknown key {k!r}" for k in sorted(set(test) - CLASSROOM_TEST)]
        problems += [f"{where}: missing key {k!r}" for k in sorted(CLASSROOM_TEST - set(test))]
        if test.get("status") not in CLASSROOM_STATUS:
            problems.append(f"{where}: status {test.get('status')!r} not pass/fail/error")
        for key in ("score", "duration"):
            if key in test and not _is_number(test[key]):
                problems.append(f"{where}: {key} is not a number")
        if "line_no" in test and not isinstance(test["line_no"], int):
            problems.append(f"{where}: line_no is not an integer")
        for key in ("name", "message", "test_code", "filename"):
            if key in test and not isinstance(test[key], str):
                problems.append(f"{where}: {key} is not a string")
        if _is_number(test.get("score")):
            total += test["score"]
    if _is_number(payload.get("max_score")) and total > payload["max_score"] + 0.005:
        problems.append(f"classroom: tests' scores {total} exceed max_score {payload['max_score']}")
    return problems


def decode_classroom(encoded: str) -> Any:
    """The JSON inside a Classroom ``result`` value (base64), as the grading reporter decodes it."""
    try:
        return json.loads(base64.b64decode(encoded.strip(), validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"classroom: not base64 of JSON ({exc})") from None


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("gradescope", "classroom"):
        print("usage: python -m grading.validate gradescope|classroom FILE", file=sys.stderr)
        return 4
    with open(argv[1], encoding="utf-8") as handle:
        text = handle.read()
    try:
        problems = (gradescope_problems(json.loads(text)) if argv[0] == "gradescope"
                    else classroom_problems(decode_classroom(text)))
    except ValueError as exc:
        problems = [str(exc)]
    for problem in problems:
        print(problem)
    print(f"{argv[1]}: {'valid' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
