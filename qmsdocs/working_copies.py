"""Outputs made from a registered score sheet at any time: the results workbook and per-person files.

Both come from the revision's frozen bundle, so they can be made again whenever they are needed
(``qms results``, ``qms split``). The per-person files are working copies for the performance
talk, not controlled documents: each says 非受控 工作副本 with the source number and version on
every page, carries its source revision's status and a property marking it as a working copy,
and shows peer ratings as an average without rater names (``[scoring] show_raters`` shows names).
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from qmsdocs import bundle as bundle_mod
from qmsdocs import clock
from qmsdocs.db import Row
from qmsdocs.errors import UsageError
from qmsdocs.i18n import _
from qmsdocs.labels import labels
from qmsdocs.lifecycle import document_row
from qmsdocs.rendering import build_frame, parse_input, revisions_of
from qmsdocs.status import derive, mark
from qmsdocs.text import one_line
from qmsdocs.workspace import Workspace


def _scores_revision(ws: Workspace, doc_no: str, version: str | None) -> tuple[Row, Row, str]:
    doc = document_row(ws.register, doc_no)
    if doc["kind"] != "scores":
        raise UsageError(_("{doc_no} is a {kind} document; results and per-person files come from score "
                           "sheets").format(doc_no=doc["doc_no"], kind=doc["kind"]))
    revisions = [r for r in revisions_of(ws.register, doc["id"]) if r["status"] != "withdrawn"]
    statuses = derive(revisions, clock.today())
    if version is None:
        effective = [r for r in revisions if statuses[r["id"]] == "effective"]
        rev = effective[-1] if effective else revisions[-1]
    else:
        found = [r for r in revisions if r["version"] == version.strip()]
        if not found:
            raise UsageError(_("{doc_no} has no version {version}; versions: {versions}").format(
                doc_no=doc["doc_no"], version=version, versions=", ".join(r["version"] for r in revisions)))
        rev = found[0]
    return doc, rev, statuses[rev["id"]]


def results(ws: Workspace, doc_no: str, version: str | None, xlsx: str | Path, force: bool = False) -> dict[str, Any]:
    """Write the results workbook of a score sheet revision to ``xlsx``; return its path."""
    from qmsdocs import results_workbook
    from qmsdocs.doctypes.scores import report_of
    from qmsdocs.outputs import check_output, write_output

    path = Path(xlsx)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(_("option --xlsx: {path}: the results file must end in .xlsx").format(path=xlsx))
    check_output(path, ws.root, force=force, option="--xlsx")
    doc, rev = _scores_revision(ws, doc_no, version)[:2]
    bundle = bundle_mod.load(ws.store, rev["bundle_sha256"])
    config = bundle.config(ws.config)
    data = parse_input(ws, bundle)
    L = labels(config.language)
    grades = {g: L[f"grade_{g}"] for g in ("excellent", "good", "satisfactory", "needs_improvement")}
    blob = results_workbook.build(report_of(data, config), [i.code for i in data.indicators], grades,
                                  L["chart_totals"], dt.date.fromisoformat(rev["created_on"]))
    written = write_output(path, blob, workspace_root=ws.root, force=force, option="--xlsx")
    return {"doc_no": doc["doc_no"], "version": rev["version"], "xlsx": str(written.resolve())}


def _anonymous(content: dict[str, Any], language: str) -> dict[str, Any]:
    """Return a person's page with each indicator's peer ratings as their average, without names."""
    from qmsdocs.doctypes.plan import number_text

    for person in content["people"]:
        for item in person.get("ratings", []):
            text = item.get("peer") or ""
            scores: list[Decimal] = []
            for part in text.replace("、", ";").split(";"):
                bits = part.strip().rsplit(" ", 1)
                if len(bits) == 2:
                    try:
                        scores.append(Decimal(bits[1]))
                    except ArithmeticError:
                        pass
            if scores:
                mean = sum(scores, Decimal(0)) / len(scores)
                shown = number_text(mean.quantize(Decimal("0.1")))
                item["peer"] = (f"平均 {shown}（{len(scores)} 人）" if language == "zh"
                                else f"average {shown} ({len(scores)} raters)")
    return content


def split(ws: Workspace, doc_no: str, version: str | None, to: str | Path, jobs: int | None = None,
          force: bool = False, progress: Callable[..., None] | None = None, option: str = "--to",
          early: EarlySeries | None = None) -> dict[str, Any]:
    """Write one working copy per staff member into ``to``; return their paths.

    ``option`` is how the user named the folder (``--to``, or ``--split`` of ``qms new``), for errors.
    ``early`` is a series whose workers were started before (see :func:`start_series`); it is used
    if it was made from the revision's frozen template, and left to its owner to close.
    """
    from qmsdocs.doctypes import leaf_texts
    from qmsdocs.doctypes.scores import person_contexts, split_name
    from qmsdocs.outputs import SplitStaging
    from qmsdocs.render import Common, Job, Series, load_frozen_template
    from qmsdocs.verify import PROP_BODY, PROP_WORKING_COPY

    staging = SplitStaging(Path(to), ws.root, force=force, option=option)  # checked before any work
    doc, rev, status = _scores_revision(ws, doc_no, version)
    bundle = bundle_mod.load(ws.store, rev["bundle_sha256"])
    config = bundle.config(ws.config)
    data = parse_input(ws, bundle)
    L = labels(config.language)
    frame = build_frame(ws, rev, status, clock.today(), bundle)
    names: dict[str, str] = {}
    work = []
    for staff_id, content in person_contexts(data, config):
        name = split_name(frame.doc_no, staff_id)
        if name in names:
            raise UsageError(_("option {option}: staff ids {first} and {second} give the same file name {name}").format(
                option=option, first=one_line(names[name]), second=one_line(staff_id), name=one_line(name)))
        names[name] = staff_id
        if not config.show_raters:
            content = _anonymous(content, config.language)
        work.append(Job(content, leaf_texts(content), f"{frame.doc_no} ({staff_id})"))
    if progress:
        progress(0, len(work))
    context = frame.context()
    context["mark"] = f"{L['mark_working_copy']} · {mark(L, status, rev['effective_date'])}"
    core = frame.core_properties() | {"contentStatus": "Uncontrolled working copy"}
    source = f"{frame.doc_no} version {frame.version}"
    template_name = ws.template_names.get(bundle.template_sha256, "scores.docx")
    template = load_frozen_template(ws.store.get(bundle.template_sha256, _("scores template")), template_name)
    with staging:
        staging.refuse_existing(names)
        targets = [staging.path(name) for name in names]
        # Each file comes out of the renderer final: its custom properties, the hash of its body
        # among them, are written as it is rendered, and it is read back from the renderer's text.
        common = Common({"frame": context, "L": L}, core, frame.values(),
                        custom={PROP_WORKING_COPY: source, "qmsdocs.source_status": status}, body_property=PROP_BODY)

        def done(index: int, _: bytes | None) -> None:
            if progress:
                progress(1)

        if early is not None and early.template_sha256 == bundle.template_sha256:
            early.series.run(common, work, done, targets)
        else:
            with Series(template, int(jobs or 1)) as series:
                series.run(common, work, done, targets)
    folder = Path(to).resolve()  # once: the names are bare names of the regular files just placed there
    return {"doc_no": doc["doc_no"], "version": rev["version"], "status": status,
            "split": [str(folder / name) for name in names]}



@dataclass(frozen=True)
class EarlySeries:
    """A series of working copies started before the revision exists, and the template it renders."""

    template_sha256: str
    series: Any  # qmsdocs.render.Series


def start_series(ws: Workspace, kind: str, jobs: int) -> EarlySeries:
    """Return a series of ``kind``'s current template with its ``jobs - 1`` worker processes starting.

    Started before the workbook is read, the workers are ready by the time the revision is
    registered and its working copies are made, instead of starting then. The template is the
    one ``qms new`` is about to freeze (compiled once: rendering the revision finds it loaded).
    The caller closes the series (a context manager).
    """
    import hashlib

    from qmsdocs.render import Series, load_frozen_template

    path = ws.template_for(kind)
    data = path.read_bytes()
    return EarlySeries(hashlib.sha256(data).hexdigest(), Series(load_frozen_template(data, str(path)), jobs))


def new_with_outputs(ws: Workspace, kind: str, data: str | Path | None, title: str | None = None, *,
                     xlsx: str | None = None, split: str | None = None, jobs: int | None = None,
                     force: bool = False, by: str | None = None, password: Any = None,
                     progress: Callable[..., None] | None = None, **options: Any) -> dict[str, Any]:
    """``qms new``: register the document, then make the outputs asked for (scores: --xlsx, --split).

    The output paths are checked before anything is registered. Once the register has committed
    the command has succeeded: an output that then fails is a warning naming the command that
    makes it again (``qms results``, ``qms split``).
    """
    from qmsdocs import lifecycle
    from qmsdocs.outputs import SplitStaging, check_output

    if kind != "scores":
        for option, value in (("--xlsx", xlsx), ("--split", split), ("--jobs", jobs)):
            if value is not None:
                raise UsageError(_("option {option} is not for {kind} documents").format(option=option, kind=kind))
    if jobs is not None and split is None:
        raise UsageError(_("option --jobs renders the --split files; give --split DIR too"))
    if xlsx is not None:
        if Path(xlsx).suffix.lower() != ".xlsx":
            raise UsageError(_("option --xlsx: {path}: the results file must end in .xlsx").format(path=xlsx))
        check_output(Path(xlsx), ws.root, force=force, option="--xlsx")
    if split is not None:
        SplitStaging(Path(split), ws.root, force=force)  # checks the folder; makes nothing
    from qmsdocs.errors import QmsError

    with contextlib.ExitStack() as stack:
        early = None
        if split is not None and jobs is not None and jobs > 1:
            try:
                early = start_series(ws, kind, jobs)
            except (QmsError, OSError):
                pass  # the template's fault is for registering to report, in its own words
            else:
                stack.enter_context(early.series)
        result = lifecycle.new(ws, kind, data, title, by=by, password=password, **options)
        warnings = result.setdefault("warnings", [])
        if xlsx is not None:
            try:
                result["xlsx"] = results(ws, result["doc_no"], result["version"], xlsx, force)["xlsx"]
            except (QmsError, OSError) as exc:
                warnings.append(_("{doc_no} is registered, but the results workbook was not written ({cause}); "
                                  "make it with: qms results {doc_no} --xlsx FILE").format(doc_no=result["doc_no"],
                                                                                          cause=exc))
        if split is not None:
            try:
                result["split"] = globals()["split"](ws, result["doc_no"], result["version"], split, jobs, force,
                                                     progress, option="--split", early=early)["split"]
            except (QmsError, OSError) as exc:
                warnings.append(_("{doc_no} is registered, but the per-person files were not written ({cause}); "
                                  "make them with: qms split {doc_no} --to DIR").format(doc_no=result["doc_no"],
                                                                                       cause=exc))
    return result
