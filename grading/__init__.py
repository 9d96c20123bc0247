"""The grading plugin: rubric, scoring, hints and reports for mobygrade."""
