"""Placeholder: the grading plugin (issue 4)."""
