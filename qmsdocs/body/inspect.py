"""What a foreign Word body holds that control cannot take as it is: revisions, comments, code."""
from __future__ import annotations

from dataclasses import dataclass, field

from qmsdocs.body.package import COMMENTS, CUSTOM_PROPERTIES, REL, Package, w
from qmsdocs.errors import DataError
from qmsdocs.i18n import N_, _
from qmsdocs.text import one_line

#: The custom property every framed file carries (its document number): a body holding it was
#: already framed by qmsdocs, and framing it again would nest one frame in another.
FRAME_MARKER = "qmsdocs.doc_no"

#: Elements that are tracked changes: inserted, deleted and moved content, and property changes.
REVISION_TAGS = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "sectPrChange",
                 "tblPrChange", "tblPrExChange", "trPrChange", "tcPrChange", "tblGridChange",
                 "numberingChange", "cellIns", "cellDel", "cellMerge")
MACRO_TYPES = ("application/vnd.ms-word.document.macroEnabled.main+xml",
               "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
#: The parts of a VBA project, whatever they are named: Word loads them by content type and relationship.
#: (Key map customizations name macros but hold none; Word keeps them in plain .docx files.)
VBA_TYPES = ("application/vnd.ms-office.vbaProject", "application/vnd.ms-word.vbaData+xml")
ACTIVEX_TYPE = "application/vnd.ms-office.activeX+xml"
#: The one kind of link to outside a controlled file may keep: a hyperlink is followed only when clicked.
HYPERLINK = REL + "hyperlink"
#: The link to the Word template a document was made from, which Word looks up when it opens it.
ATTACHED_TEMPLATE = REL + "attachedTemplate"
#: Fields that fetch content from outside the document when they are updated (Word updates linked
#: fields before printing by default) or, for DDEAUTO, run a program when the file is opened.
LINK_FIELDS = ("INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "LINK", "DDE", "DDEAUTO", "IMPORT", "RD")
#: Pictures above this many pixels are refused: a small file can hold one that takes gigabytes to
#: draw. A 48-megapixel camera photograph stays below it.
MAX_PICTURE_PIXELS = 100_000_000
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
    #: Embedded documents of another format (w:altChunk) that Word merges when it opens the file.
    alt_chunks: int = 0
    #: The links to files outside the document, as "type target (part)", hyperlinks left out.
    external: list[str] = field(default_factory=list)
    #: The fields that fetch content from outside, as their instruction.
    link_fields: list[str] = field(default_factory=list)
    #: The pictures over MAX_PICTURE_PIXELS, as "part (width × height pixels)".
    huge_pictures: list[str] = field(default_factory=list)
    #: The target of the link to the Word template the body names ('' if none); it is dropped.
    attached_template: str = ""

    @property
    def framed(self) -> bool:
        return bool(self.framed_as)

    def problems(self, accept_changes: bool = False, drop_comments: bool = False) -> list[str]:
        """Return the refusals of this body, one line each (empty if it can be framed)."""
        out = []
        if self.macros:
            out.append(_("{display} holds macros (a VBA project): save it in Word as Word Document (.docx), "
                         "which leaves the macros out").format(display=self.display))
        if self.activex:
            out.append(_("{display} holds {controls}: remove them in Word "
                         "(Developer > Design Mode, select and delete) and save it again").format(
                             display=self.display, controls=_count(self.activex, "ActiveX control")))
        if self.alt_chunks:
            out.append(_("{display} holds {documents} of another format "
                         "(altChunk) that Word merges only when it opens the file: open it in Word and save it "
                         "again as Word Document (.docx), which merges them into the text").format(
                             display=self.display, documents=_count(self.alt_chunks, "embedded document")))
        if self.external:
            out.append(_("{display} links to {files} outside it, which Word "
                         "fetches when it opens the file ({links}): embed them in Word (File > Info > Edit Links "
                         "to Files > Break Link, or insert the picture again) and save it again").format(
                             display=self.display, files=_count(len(self.external), "file"),
                             links=_first(self.external)))
        if self.link_fields:
            n = len(self.link_fields)
            out.append((_("{display} has {fields} that fetches content "
                          "from outside it when updated or printed ({instructions}): select the field in Word and "
                          "press Ctrl+Shift+F9 to make it plain text, and save it again") if n == 1 else
                        _("{display} has {fields} that fetch content "
                          "from outside it when updated or printed ({instructions}): select the field in Word and "
                          "press Ctrl+Shift+F9 to make it plain text, and save it again")).format(
                             display=self.display, fields=_count(n, "field"),
                             instructions=_first(self.link_fields)))
        if self.huge_pictures:
            out.append(_("{display} has {pictures} over "
                         "{megapixels} megapixels ({names}): "
                         "compress them in Word (Picture Format > Compress Pictures) and save it again").format(
                             display=self.display, pictures=_count(len(self.huge_pictures), "picture"),
                             megapixels=MAX_PICTURE_PIXELS // 1_000_000, names="; ".join(self.huge_pictures[:3])))
        if self.framed_as:
            out.append(_("{display} already carries the qmsdocs frame of {doc_no}: give the original "
                         "Word document without its cover and control header (qms get "
                         "{doc_no} --body -o FILE.docx gives it back)").format(
                             display=self.display, doc_no=self.framed_as))
        changes = 0 if accept_changes else self.tracked_changes
        comments = 0 if drop_comments else self.comments
        if changes and comments:
            out.append(_("{display} has {changes} and {comments}: "
                         "accept or reject all changes (Review > Accept All) and delete the comments in Word, "
                         "or give --accept-changes / --drop-comments").format(
                             display=self.display, changes=_count(changes, "tracked change"),
                             comments=_count(comments, "comment")))
        elif changes:
            out.append(_("{display} has {changes}: accept or reject all changes "
                         "in Word (Review > Accept All), or give --accept-changes").format(
                             display=self.display, changes=_count(changes, "tracked change")))
        elif comments:
            out.append(_("{display} has {comments}: delete the comments in Word "
                         "(Review > Delete All Comments), or give --drop-comments").format(
                             display=self.display, comments=_count(comments, "comment")))
        return out

    def require_frameable(self, accept_changes: bool = False, drop_comments: bool = False) -> None:
        """Raise DataError (every refusal, one per line) unless the body can be framed."""
        problems = self.problems(accept_changes, drop_comments)
        if problems:
            raise DataError(problems)


#: The counted nouns of the refusals, one and many, for the catalog.
_NOUNS = {"tracked change": (N_("{count} tracked change"), N_("{count} tracked changes")),
          "comment": (N_("{count} comment"), N_("{count} comments")),
          "ActiveX control": (N_("{count} ActiveX control"), N_("{count} ActiveX controls")),
          "embedded document": (N_("{count} embedded document"), N_("{count} embedded documents")),
          "file": (N_("{count} file"), N_("{count} files")),
          "field": (N_("{count} field"), N_("{count} fields")),
          "picture": (N_("{count} picture"), N_("{count} pictures"))}


def _count(n: int, noun: str) -> str:
    if noun in _NOUNS:
        return _(_NOUNS[noun][n != 1]).format(count=n)
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _first(items: list[str]) -> str:
    """Return the first three of ``items`` joined by '; ', with '; …' if there are more."""
    return "; ".join(items[:3]) + ("; …" if len(items) > 3 else "")


def inspect_body(data: bytes, display: str) -> BodyReport:
    """Return what the body .docx ``data`` holds; raise DataError if it is no readable .docx.

    ``display`` names the file in messages. The report's :meth:`BodyReport.require_frameable`
    raises the refusals (tracked changes, comments, macros, ActiveX, an existing frame).
    """
    from qmsdocs.body.readback import paragraph_texts

    package = Package.read(data, display)
    stories = package.story_parts()
    return BodyReport(
        display=display,
        tracked_changes=count_revisions(package),
        comments=count_comments(package),
        macros=has_macros(package),
        activex=max(sum(1 for name in package.parts if package.content_type(name) == ACTIVEX_TYPE),
                    sum(1 for part in stories for el in package.xml(part).iter(w("control")))),
        framed_as=frame_marker(package),
        paragraphs=paragraph_texts(package.xml(package.main)),
        alt_chunks=sum(1 for part in stories for el in package.xml(part).iter(w("altChunk"))),
        external=external_links(package),
        link_fields=link_fields(package, stories),
        huge_pictures=huge_pictures(package),
        attached_template=attached_template(package),
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
    """Return whether the package holds a VBA project (by name, content type or relationship) or
    declares a macro-enabled main part."""
    if package.content_type(package.main) in MACRO_TYPES:
        return True
    if any(name.lower().endswith("vbaproject.bin") or package.content_type(name) in VBA_TYPES
           for name in package.parts):
        return True
    return any(rel.type.rsplit("/", 1)[-1] in ("vbaProject", "wordVbaData")
               for part in _rels_sources(package) for rel in package.rels(part))


def _rels_sources(package: Package) -> list[str]:
    """Return the parts ('' = the package) that have a relationships part."""
    out = []
    for name in package.parts:
        folder, sep, base = name.rpartition("_rels/")
        if base.endswith(".rels") and (not folder or folder.endswith("/")):
            out.append(folder + base[: -len(".rels")])
    return out


def external_links(package: Package) -> list[str]:
    """Return the links to outside the document other than hyperlinks and the template link,
    as "type target (part)"."""
    out = []
    for part in _rels_sources(package):
        for rel in package.rels(part):
            if rel.external and rel.type not in (HYPERLINK, ATTACHED_TEMPLATE):
                out.append(f"{rel.type.rsplit('/', 1)[-1]} {one_line(rel.target, 80)} ({part or 'package'})")
    return out


def attached_template(package: Package) -> str:
    """Return the target of the link to the document's Word template ('' if it names none)."""
    for part in _rels_sources(package):
        for rel in package.rels(part):
            if rel.type == ATTACHED_TEMPLATE:
                return one_line(rel.target, 80)
    return ""


def link_fields(package: Package, parts: list[str]) -> list[str]:
    """Return the instructions of the fields in ``parts`` that fetch content from outside."""
    out = []
    for part in parts:
        root = package.xml(part)
        instructions = [el.get(w("instr"), "") for el in root.iter(w("fldSimple"))]
        # A complex field's instruction is the text of its w:instrText runs between its begin and
        # separate (or end) marks, split over runs as Word pleases; nested fields keep a stack.
        stack: list[list[str]] = []
        for el in root.iter(w("fldChar"), w("instrText")):
            if el.tag == w("instrText"):
                if stack:
                    stack[-1].append(el.text or "")
                continue
            kind = el.get(w("fldCharType"))
            if kind == "begin":
                stack.append([])
            elif kind == "end" and stack:
                instructions.append("".join(stack.pop()))
        instructions += ["".join(pieces) for pieces in stack]
        for text in instructions:
            words = text.split()
            if words and words[0].upper() in LINK_FIELDS:
                out.append(one_line(" ".join(words), 80))
    return out


def huge_pictures(package: Package) -> list[str]:
    """Return the pictures over MAX_PICTURE_PIXELS, as "part (width × height pixels)"."""
    from docx.image.image import Image

    out = []
    for name, data in package.parts.items():
        if not package.content_type(name).startswith("image/"):
            continue
        try:
            picture = Image.from_blob(data)
        except Exception:  # noqa: BLE001 - a format python-docx cannot size (EMF, SVG) or a damaged header
            continue
        if picture.px_width * picture.px_height > MAX_PICTURE_PIXELS:
            out.append(_("{part} ({width} × {height} pixels)").format(
                part=name, width=picture.px_width, height=picture.px_height))
    return out


def frame_marker(package: Package) -> str:
    """Return the document number of the qmsdocs frame in the custom properties ('' if none)."""
    for part in package.related("", CUSTOM_PROPERTIES):
        for prop in package.xml(part):
            if prop.get("name") == FRAME_MARKER:
                return "".join(prop.itertext()).strip() or _("an unnamed document")
    return ""
