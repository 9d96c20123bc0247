"""The HTML report (``--grade-report html:PATH``): a pure renderer, report dict in, page out."""

from grading.render.html.page import render_html

__all__ = ["render_html"]
