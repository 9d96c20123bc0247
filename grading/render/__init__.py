"""Pure renderers: a grade result (or report data) in, the text of one report format out."""
