"""From what each graded item did to a grade: pure data in, frozen :class:`GradeResult` out.

The plugin turns pytest reports into :class:`ItemOutcome` rows (one per test
item); :func:`grade` merges items of one check (parametrized tests), applies
prerequisites (a check whose prerequisite did not pass is ``blocked``, whatever
its own outcome — authoritative even when xdist ran both at once), the
rubric's points and the catalog's texts. Every renderer reads the same result,
so the reports cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from grading import i18n
from grading.catalog import Catalog
from grading.context import PARTS
from grading.rubric import Rubric

_WORST_FIRST = ("error", "failed", "blocked", "skipped", "passed")  # merging parametrized items


@dataclass(frozen=True)
class ItemOutcome:
    """One test item's result. ``status``: passed, failed, blocked, error, skipped or notrun."""

    nodeid: str
    mode: str
    check_id: str
    status: str
    fraction: float = 0.0  # share of the points earned by a failed item (partial credit)
    message: str = ""
    duration_s: float = 0.0
    notes: tuple[str, ...] = ()  # lab drift
    facts: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()  # what a failure is about (container:redis2, ...)
    blocked_by: str | None = None
    filename: str = ""
    line_no: int = 0
    hint: str = ""  # a hint fitting the host's state (CheckFailed/CheckBlocked hint=), if any


@dataclass(frozen=True)
class MinSpec:
    """``--grade-min``: points, or a percentage of the run's max score."""

    value: float
    percent: bool = False

    def resolve(self, max_score: float) -> float:
        return round(max_score * self.value / 100, 2) if self.percent else self.value


@dataclass(frozen=True)
class RunMeta:
    lab: str = "docker-3-reseaux-volumes"
    mode: str = "provision"
    checkpoint: str | None = None
    lang: str = "fr"
    docker_host: str | None = None
    engine_version: str | None = None
    images: Mapping[str, object] | None = None
    endpoint: Mapping[str, object] | None = None  # how the engine was reached (transport, context)
    observations: Mapping[str, object] | None = None  # patterns and topology, for the HTML report
    not_graded: str | None = None  # why the host could not be graded (then no score, no hint)
    started_at: str = ""
    duration_s: float = 0.0
    fingerprint: str = ""


@dataclass(frozen=True)
class CheckResult:
    mode: str
    check_id: str
    part: str
    category: str
    title: str
    hint: str
    lab_step: str
    status: str
    score: float
    max_score: float
    message: str = ""
    duration_s: float = 0.0
    notes: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()  # what a failure is about (container:redis2, ...)
    blocked_by: str | None = None
    nodeids: tuple[str, ...] = ()
    filename: str = ""
    line_no: int = 0
    visibility: str = "visible"

    @property
    def informational(self) -> bool:
        """Zero points: shown everywhere, never counted."""
        return self.max_score == 0

    @property
    def mark(self) -> str:
        """``partial`` for a failed check that still earned points, else the status."""
        return "partial" if self.status == "failed" and self.score > 0 else self.status


@dataclass(frozen=True)
class Incomplete:
    """Why the grade does not cover the whole run, and which checks did not run.

    ``causes`` are stable words for programs: ``interrupted`` (Ctrl-C), ``stopped``
    (``-x``/``--maxfail`` or another early stop), ``not_run`` (collected checks that
    never ran) and ``partial_selection`` (``-k``/``-m``/node ids left checks out).
    ``reason`` says the same in the run's language; ``not_run`` lists the ids of the
    checks that did not run, collected ones first, then the ones not selected.
    """

    causes: tuple[str, ...]
    reason: str
    not_run: tuple[str, ...]


@dataclass(frozen=True)
class CategoryScore:
    part: str
    name: str
    score: float
    max_score: float


@dataclass(frozen=True)
class GradeResult:
    meta: RunMeta
    checks: tuple[CheckResult, ...]
    categories: tuple[CategoryScore, ...]
    score: float
    max_score: float
    min_score: float
    reached: bool
    available: int = 0  # checks the run would grade with no -k/-m/node selection
    prereqs_not_selected: tuple[str, ...] = field(default_factory=tuple)
    incomplete: Incomplete | None = None  # None: every check the run grades by default ran

    @property
    def partial_selection(self) -> bool:
        return 0 < len(self.checks) < self.available

    @property
    def graded(self) -> bool:
        """False for a host that could not be graded: no score to show, anywhere."""
        return self.meta.not_graded is None


def _merge(items: Sequence[ItemOutcome]) -> ItemOutcome:
    """One outcome for a check from its items (parametrized tests): worst status, mean credit."""
    ran = [item for item in items if item.status not in ("skipped", "notrun")] or list(items)
    status = next(s for s in (*_WORST_FIRST, "notrun") if any(i.status == s for i in ran))
    credit = [1.0 if i.status == "passed" else i.fraction if i.status == "failed" else 0.0 for i in ran]
    messages = [i.message for i in ran if i.message and i.status == status]
    first = items[0]
    return ItemOutcome(
        nodeid=first.nodeid,
        mode=first.mode,
        check_id=first.check_id,
        status=status,
        fraction=sum(credit) / len(credit) if status == "failed" else 0.0,
        message="\n".join(dict.fromkeys(messages)),
        duration_s=sum(i.duration_s for i in items),
        notes=tuple(dict.fromkeys(n for i in items for n in i.notes)),
        facts=tuple(dict.fromkeys(f for i in items for f in i.facts)),
        objects=tuple(dict.fromkeys(o for i in items for o in i.objects)),
        blocked_by=next((i.blocked_by for i in items if i.blocked_by), None),
        filename=first.filename,
        line_no=first.line_no,
        hint=next((i.hint for i in ran if i.hint and i.status == status), ""),
    )


def _part_rank(check_id: str) -> int:
    part = check_id.partition(".")[0]
    return PARTS.index(part) if part in PARTS else len(PARTS)


def grade(
    items: Sequence[ItemOutcome],
    rubric: Rubric,
    catalog: Catalog,
    meta: RunMeta,
    minimum: MinSpec | None = None,
    available: Sequence[str] = (),
    interrupted: bool = False,
    stopped: str | None = None,
) -> GradeResult:
    """Score the run. ``available``: the ids the run grades by default (to flag a partial -k).

    ``interrupted``: the session ended on Ctrl-C; ``stopped``: pytest's reason for an
    early stop (``-x``). Either, a collected check that did not run, or a partial
    selection makes the result :class:`Incomplete`.
    """
    lang = meta.lang
    grouped: dict[tuple[str, str], list[ItemOutcome]] = {}
    for item in items:
        grouped.setdefault((item.mode, item.check_id), []).append(item)
    merged = {key: _merge(group) for key, group in grouped.items()}
    first_seen = {key: index for index, key in enumerate(merged)}
    order = sorted(merged, key=lambda key: (_part_rank(key[1]), first_seen[key]))

    final: dict[tuple[str, str], str] = {}
    blocker: dict[tuple[str, str], str | None] = {}
    missing: dict[str, None] = {}
    from_prereq: dict[tuple[str, str], bool] = {}  # blocked by a rubric prerequisite

    def settle(key: tuple[str, str]) -> str:
        # Prerequisites first (the rubric has no cycles); a non-passing one blocks.
        if key in final:
            return final[key]
        final[key] = merged[key].status  # provisional: guards against a cyclic rubric
        mode, check_id = key
        blocked_by = None
        for prereq in () if meta.not_graded else rubric.requires(mode, check_id):
            if (mode, prereq) not in merged:
                missing[prereq] = None
            elif settle((mode, prereq)) != "passed" and blocked_by is None:
                blocked_by = prereq
        own = merged[key]
        from_prereq[key] = blocked_by is not None
        blocked_by = blocked_by or (own.blocked_by if own.status == "blocked" else None)
        final[key] = "blocked" if blocked_by else own.status
        blocker[key] = blocked_by
        return final[key]

    checks: list[CheckResult] = []
    told: set[str] = set()  # a fact is shown once a run, with the first check that says it
    for key in order:
        mode, check_id = key
        status = settle(key)
        own = merged[key]
        entry = rubric.entry(mode, check_id)
        points = entry.points if entry else 0.0
        texts = catalog.text(mode, check_id, lang)
        part = check_id.partition(".")[0]
        if status == "blocked" and (from_prereq[key] or not own.message):
            message = i18n.text("blocked_by", lang, id=blocker[key] or "?")
        elif status == "blocked":  # could not be measured: the reason, as the check said it
            message = own.message
        elif status == "error":
            message = i18n.text("suite_error", lang, detail=own.message or "?")
        elif status == "notrun":
            message = i18n.text("not_graded" if meta.not_graded else "not_run", lang)
        else:
            message = "" if status == "passed" else own.message
        # a host that could not be graded earns nothing: what ran before it went away is no grade
        earned = 0.0 if meta.not_graded else \
            {"passed": points, "failed": points * own.fraction}.get(status, 0.0)
        checks.append(
            CheckResult(
                mode=mode,
                check_id=check_id,
                part=part,
                category=rubric.category_name(part, lang),
                title=texts.title,
                # nothing measured, or a host that could not be graded: no hint; else the
                # host's own hint when the check gave one (and was not blocked by a
                # prerequisite, whose hint is the one to follow first)
                hint="" if status == "notrun" or meta.not_graded else (
                    own.hint if own.hint and not from_prereq[key] else texts.hint),
                lab_step=texts.lab_step,
                status=status,
                score=round(earned, 2),
                max_score=round(points, 2),
                message=message,
                duration_s=round(own.duration_s, 3),
                notes=own.notes,
                facts=tuple(fact for fact in own.facts if fact not in told),
                objects=own.objects if status in ("failed", "error") else (),
                blocked_by=blocker[key] if status == "blocked" else None,
                nodeids=tuple(dict.fromkeys(i.nodeid for i in grouped[key])),
                filename=own.filename,
                line_no=own.line_no,
                visibility=entry.visibility if entry else "visible",
            )
        )
        told.update(own.facts)

    categories = []
    for part in dict.fromkeys(check.part for check in checks):
        in_part = [check for check in checks if check.part == part]
        categories.append(
            CategoryScore(
                part=part,
                name=in_part[0].category,
                score=round(sum(c.score for c in in_part), 2),
                max_score=round(sum(c.max_score for c in in_part), 2),
            )
        )
    score = round(sum(check.score for check in checks), 2)
    max_score = round(sum(check.max_score for check in checks), 2)
    min_score = minimum.resolve(max_score) if minimum else max_score
    selected = {check_id for _, check_id in merged}
    all_ids = list(dict.fromkeys([*available, *(check_id for _, check_id in order)]))
    not_selected = [check_id for check_id in all_ids if check_id not in selected]
    not_run = [key[1] for key in order if merged[key].status == "notrun"]
    incomplete = None if meta.not_graded else _incomplete(
        lang, interrupted, stopped, not_run, not_selected, len(selected), len(all_ids))
    return GradeResult(
        meta=meta,
        checks=tuple(checks),
        categories=tuple(categories),
        score=score,
        max_score=max_score,
        min_score=min_score,
        reached=meta.not_graded is None and score + 1e-9 >= min_score,
        available=len(all_ids),
        prereqs_not_selected=tuple(missing),
        incomplete=incomplete,
    )


def _incomplete(
    lang: str, interrupted: bool, stopped: str | None, not_run: Sequence[str],
    not_selected: Sequence[str], selected: int, available: int,
) -> Incomplete | None:
    causes: list[str] = []
    reasons: list[str] = []
    if interrupted:
        causes.append("interrupted")
        reasons.append(i18n.text("incomplete_interrupted", lang))
    if stopped and not interrupted and not_run:
        causes.append("stopped")
        reasons.append(i18n.text("incomplete_stopped", lang, detail=stopped))
    if not_run:
        causes.append("not_run")
        reasons.append(i18n.text("incomplete_not_run", lang, count=len(not_run)))
    if not_selected and selected:
        causes.append("partial_selection")
        reasons.append(i18n.text("partial_selection", lang, selected=selected,
                                 available=available))
    if not causes:
        return None
    return Incomplete(tuple(causes), "; ".join(reasons), (*not_run, *not_selected))
