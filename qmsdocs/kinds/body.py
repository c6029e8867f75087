"""The Word-body kinds: an existing Word document put inside the control frame.

The file given (.docx from Word, WPS, LibreOffice or Google Docs; .doc, .odt or .rtf converted
with LibreOffice) is inspected and refused if it holds what control cannot take (tracked
changes and comments unless accepted or dropped, macros, ActiveX, an existing frame). What is
frozen is the clean .docx; the file as given is kept in the store beside it as evidence.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qmsdocs.errors import UsageError
from qmsdocs.i18n import _
from qmsdocs.kinds import Input

if TYPE_CHECKING:
    from qmsdocs.bundle import Bundle
    from qmsdocs.frame import Frame
    from qmsdocs.workspace import Workspace

#: The covers a body can have: the standard cover, or none (the control header alone).
COVERS = ("standard", "none")
WORD_SUFFIXES = (".docx", ".docm")


@dataclass(frozen=True)
class BodyKind:
    """A kind whose documents are Word bodies in the control frame."""

    name: str
    label_zh: str
    label_en: str
    input_option: str = "--body"
    options: frozenset[str] = frozenset({"cover", "accept_changes", "drop_comments", "doc_no", "version",
                                         "effective", "history"})
    uses_template: bool = False

    def label(self, language: str) -> str:
        return self.label_zh if language == "zh" else self.label_en

    def default_title(self, language: str) -> str | None:
        return None  # a Word document's title is the user's to give

    def title_of(self, parsed: Any) -> str | None:
        return None

    def read(self, path: Path, display: str, **options: Any) -> Input:
        """Return the clean .docx of the body at ``path`` (options: accept_changes, drop_comments)."""
        return read_body(path, display, bool(options.get("accept_changes")), bool(options.get("drop_comments")))

    def parse(self, data: bytes, name: str) -> Any:
        return data

    def render(self, ws: Workspace, bundle: Bundle, frame: Frame, custom: dict[str, str], parsed: Any) -> bytes:
        return render_body(parsed, bundle, frame, custom, self.label(frame.language))


def read_body(path: Path, display: str, accept_changes: bool = False, drop_comments: bool = False) -> Input:
    """Return the body at ``path`` as the .docx to freeze, with the file as given as its source.

    Raise UsageError for a format that is not a Word document, DataError (every refusal, one per
    line) for one that cannot be put under control as it is.
    """
    from qmsdocs.body.clean import clean_body
    from qmsdocs.body.convert import CONVERTIBLE, convert_to_docx, read_regular
    from qmsdocs.body.inspect import inspect_body

    suffix = path.suffix.lower()
    if suffix not in WORD_SUFFIXES + CONVERTIBLE:
        raise UsageError(_("{display}: give a Word document (.docx, or .doc, .odt or .rtf to be converted with "
                           "LibreOffice)").format(display=display))
    source = read_regular(path)
    data = convert_to_docx(path) if suffix in CONVERTIBLE else source
    report = inspect_body(data, display)
    report.require_frameable(accept_changes, drop_comments)
    warnings = []
    if (accept_changes and report.tracked_changes) or (drop_comments and report.comments) or \
            report.attached_template:
        data = clean_body(data, accept_changes and report.tracked_changes > 0,
                          drop_comments and report.comments > 0, display,
                          drop_template=bool(report.attached_template))
        done = [_("{count} tracked change(s) accepted").format(count=report.tracked_changes)
                if accept_changes and report.tracked_changes
                else "", _("{count} comment(s) dropped").format(count=report.comments)
                if drop_comments and report.comments else "",
                _("the link to its Word template ({template}) dropped").format(template=report.attached_template)
                if report.attached_template else ""]
        warnings.append(_("{display}: {done}; the file as given is kept as evidence").format(
            display=display, done=_(", ").join(d for d in done if d)))
    name = Path(display).stem + ".docx" if suffix != ".docx" else Path(display).name
    return Input(data, data, name, source=source, source_name=Path(display).name, warnings=warnings)


def render_body(body: bytes, bundle: Bundle, frame: Frame, custom: dict[str, str], label: str) -> bytes:
    """Return the framed .docx of ``body``, read back: every body paragraph in order, the frame's values.

    Raise ReadbackError if anything is missing.
    """
    from qmsdocs.body.frame import frame_body
    from qmsdocs.body.readback import check_body_readback
    from qmsdocs.render import check_text
    from qmsdocs.ooxml import document_text

    with_cover = bundle.cover != "none"
    framed = frame_body(body, frame, cover=with_cover, custom=custom, display=frame.doc_no, label=label)
    check_body_readback(framed, body, frame.doc_no)
    ctx = frame.context()
    expected = [frame.doc_no, frame.title, ctx["mark"], ctx["version_text"]] + ([frame.copy_no] if frame.copy_no else [])
    if with_cover:
        expected += [v for v in frame.values() if v != frame.reference]
    check_text(document_text(framed), expected, frame.doc_no)
    return framed


def get_file(ws: Workspace, doc_no: str, version: str | None, out: str | Path, *, body: bool = False,
             force: bool = False) -> dict[str, Any]:
    """Write a revision's file to ``out`` and return what was written.

    With ``body`` the bare Word body as frozen (no cover, no control header): what to edit for
    the next revision. Without it the controlled file as the register shows it today. The
    revision is ``version`` (default: the newest one not withdrawn). Outputs follow
    :func:`qmsdocs.outputs.write_output`: never inside the workspace, an existing file only with ``force``.
    """
    from qmsdocs import bundle as bundle_mod
    from qmsdocs import clock
    from qmsdocs.lifecycle import document_row
    from qmsdocs.outputs import check_output, write_output
    from qmsdocs.rendering import revisions_of
    from qmsdocs.status import derive

    target = Path(out)
    check_output(target, ws.root, force=force, option="-o")
    doc = document_row(ws.register, doc_no)
    revisions = [r for r in revisions_of(ws.register, doc["id"]) if r["status"] != "withdrawn"]
    if version is not None:
        chosen = [r for r in revisions if r["version"] == version.strip()]
        if not chosen:
            raise UsageError(_("{doc_no} has no version {version}; versions: {versions}").format(
                doc_no=doc["doc_no"], version=version.strip(),
                versions=", ".join(r["version"] for r in revisions) or _("none")))
        rev = chosen[0]
    elif revisions:
        rev = revisions[-1]
    else:
        raise UsageError(_("{doc_no} has no revision to give").format(doc_no=doc["doc_no"]))
    bundle = bundle_mod.load(ws.store, rev["bundle_sha256"])
    if body:
        from qmsdocs.kinds import of_bundle

        if of_bundle(bundle).input_option != "--body":
            raise UsageError(_("{doc_no} is a {kind} document made from a workbook; it has no Word "
                               "body (its input workbook is in: qms show {doc_no})").format(
                                   doc_no=doc["doc_no"], kind=doc["kind"]))
        data = ws.store.get(bundle.input_sha256, f"body of {doc['doc_no']} {rev['version']}")
    else:
        state = derive(revisions, clock.today())[rev["id"]]
        rows = ws.register.query("SELECT sha256, state FROM renders WHERE revision_id = ? AND what = 'revision' "
                                 "ORDER BY id", (rev["id"],))
        match = [r for r in rows if r["state"] == state] or rows
        if not match:
            raise UsageError(_("{doc_no} {version} has no rendered file").format(
                doc_no=doc["doc_no"], version=rev["version"]))
        data = ws.store.get(match[-1]["sha256"], f"{doc['doc_no']} {rev['version']}")
    path = write_output(target, data, workspace_root=ws.root, force=force, option="-o")
    return {"doc_no": doc["doc_no"], "version": rev["version"], "type": doc["kind"], "body": body,
            "path": str(path.resolve()), "sha256": _sha(data)}


def _sha(data: bytes) -> str:
    from qmsdocs.store import sha256_bytes

    return sha256_bytes(data)
