"""What a foreign Word body holds that control cannot take as it is: revisions, comments, code."""
from __future__ import annotations

from dataclasses import dataclass, field

from qmsdocs.body.package import COMMENTS, CUSTOM_PROPERTIES, Package, w
from qmsdocs.errors import DataError

#: The custom property every framed file carries (its document number): a body holding it was
#: already framed by qmsdocs, and framing it again would nest one frame in another.
FRAME_MARKER = "qmsdocs.doc_no"

#: Elements that are tracked changes: inserted, deleted and moved content, and property changes.
REVISION_TAGS = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange",
                 "tblPrChange", "tblPrExChange", "trPrChange", "tcPrChange", "tblGridChange",
                 "numberingChange", "cellIns", "cellDel", "cellMerge")
MACRO_TYPES = ("application/vnd.ms-word.document.macroEnabled.main+xml",
               "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
ACTIVEX_TYPE = "application/vnd.ms-office.activeX+xml"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


@dataclass(frozen=True)
class BodyReport:
    """What :func:`inspect_body` found in a body .docx."""

    display: str
    tracked_changes: int
    comments: int
    macros: bool
    activex: int
    #: The document number of the frame the body already carries ('' if none).
    framed_as: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def framed(self) -> bool:
        return bool(self.framed_as)

    def problems(self, accept_changes: bool = False, drop_comments: bool = False) -> list[str]:
        """Return the refusals of this body, one line each (empty if it can be framed)."""
        out = []
        if self.macros:
            out.append(f"{self.display} holds macros (a VBA project): save it in Word as Word Document (.docx), "
                       "which leaves the macros out")
        if self.activex:
            out.append(f"{self.display} holds {_count(self.activex, 'ActiveX control')}: remove them in Word "
                       "(Developer > Design Mode, select and delete) and save it again")
        if self.framed_as:
            out.append(f"{self.display} already carries the qmsdocs frame of {self.framed_as}: give the original "
                       "Word document without its cover and control header (qms get "
                       f"{self.framed_as} --body -o FILE.docx gives it back)")
        changes = 0 if accept_changes else self.tracked_changes
        comments = 0 if drop_comments else self.comments
        if changes and comments:
            out.append(f"{self.display} has {_count(changes, 'tracked change')} and {_count(comments, 'comment')}: "
                       "accept or reject all changes (Review > Accept All) and delete the comments in Word, "
                       "or give --accept-changes / --drop-comments")
        elif changes:
            out.append(f"{self.display} has {_count(changes, 'tracked change')}: accept or reject all changes "
                       "in Word (Review > Accept All), or give --accept-changes")
        elif comments:
            out.append(f"{self.display} has {_count(comments, 'comment')}: delete the comments in Word "
                       "(Review > Delete All Comments), or give --drop-comments")
        return out

    def require_frameable(self, accept_changes: bool = False, drop_comments: bool = False) -> None:
        """Raise DataError (every refusal, one per line) unless the body can be framed."""
        problems = self.problems(accept_changes, drop_comments)
        if problems:
            raise DataError(problems)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def inspect_body(data: bytes, display: str) -> BodyReport:
    """Return what the body .docx ``data`` holds; raise DataError if it is no readable .docx.

    ``display`` names the file in messages. The report's :meth:`BodyReport.require_frameable`
    raises the refusals (tracked changes, comments, macros, ActiveX, an existing frame).
    """
    from qmsdocs.body.readback import paragraph_texts

    package = Package.read(data, display)
    return BodyReport(
        display=display,
        tracked_changes=count_revisions(package),
        comments=count_comments(package),
        macros=has_macros(package),
        activex=sum(1 for name in package.parts if package.content_type(name) == ACTIVEX_TYPE),
        framed_as=frame_marker(package),
        paragraphs=paragraph_texts(package.xml(package.main)),
    )


def count_revisions(package: Package) -> int:
    """Return the number of tracked-change elements in the parts that hold text."""
    tags = {w(t) for t in REVISION_TAGS}
    return sum(1 for part in package.story_parts() for el in package.xml(part).iter(*tags))


def count_comments(package: Package) -> int:
    """Return the number of comments: those of the comments part, else the distinct references."""
    parts = package.related(package.main, COMMENTS)
    if parts:
        return sum(1 for part in parts for el in package.xml(part) if el.tag == w("comment"))
    ids = set()
    for part in package.story_parts():
        for el in package.xml(part).iter(w("commentReference"), w("commentRangeStart")):
            ids.add(el.get(w("id")))
    return len(ids)


def has_macros(package: Package) -> bool:
    """Return whether the package holds a VBA project or declares a macro-enabled main part."""
    if package.content_type(package.main) in MACRO_TYPES:
        return True
    return any(name.lower().endswith("vbaproject.bin") for name in package.parts)


def frame_marker(package: Package) -> str:
    """Return the document number of the qmsdocs frame in the custom properties ('' if none)."""
    for part in package.related("", CUSTOM_PROPERTIES):
        for prop in package.xml(part):
            if prop.get("name") == FRAME_MARKER:
                return "".join(prop.itertext()).strip() or "an unnamed document"
    return ""
