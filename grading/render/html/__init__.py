"""The HTML report (``--grade-report html:PATH``): a pure renderer, report in, page out."""

from __future__ import annotations

from grading.render.html.page import render_html
from grading.render.platforms import report_dict
from grading.scoring import GradeResult

__all__ = ["render_html", "render_html_report"]


def render_html_report(result: GradeResult) -> str:
    """The page is drawn from the JSON report (observations included), so they never disagree."""
    return render_html(report_dict(result))
