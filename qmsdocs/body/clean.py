"""Accepting every tracked change and removing the comments of a body, as Word's Review tab does."""
from __future__ import annotations

from typing import Any

from qmsdocs.body.package import COMMENTS, NUMBERING, STYLES, Package, w

#: Property changes: the element records the old properties; accepting keeps the new ones.
_PROPERTY_CHANGES = ("rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblPrExChange",
                     "trPrChange", "tcPrChange", "tblGridChange", "numberingChange")
#: Range marks of moves and of custom XML changes, which carry no content.
_MARKS = ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
          "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
          "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd", "customXmlMoveToRangeStart",
          "customXmlMoveToRangeEnd", "cellIns", "cellMerge")
#: The parts comments live in, beside word/comments.xml (Word 2010 and later).
_COMMENT_PART_TYPES = ("comments", "commentsExtended", "commentsIds", "commentsExtensible")


def clean_body(data: bytes, accept_changes: bool, drop_comments: bool, display: str = "body",
               drop_template: bool = False) -> bytes:
    """Return the .docx ``data`` with its tracked changes accepted and/or its comments removed.

    Accepting keeps inserted and moved-to content, removes deleted and moved-from content, joins
    a paragraph whose mark was deleted to the next one, removes deleted table rows and cells and
    drops the records of property changes. With ``drop_template`` the link to the Word template
    the document was made from goes (Word would look it up, on a file share or the web, when it
    opens the file). Everything else is kept, embedded objects included.
    """
    package = Package.read(data, display)
    if drop_template:
        remove_template_link(package)
    if accept_changes:
        parts = package.story_parts() + package.related(package.main, STYLES) + \
            package.related(package.main, NUMBERING)
        for part in dict.fromkeys(parts):
            accept_revisions(package.xml(part))
    if drop_comments:
        remove_comments(package)
    return package.to_bytes()


def _unwrap(el: Any) -> None:
    """Replace ``el`` by its children, keeping the text around it."""
    parent = el.getparent()
    index = parent.index(el)
    for child in reversed(list(el)):
        parent.insert(index, child)
    _drop(el)


def _drop(el: Any) -> None:
    """Remove ``el`` but keep the tail text lxml stores on it (whitespace between elements)."""
    parent = el.getparent()
    if el.tail and el.tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _mark_of(el: Any) -> Any:
    """Return the paragraph or row whose mark a revision element inside properties belongs to."""
    holder = el.getparent()  # w:rPr of a paragraph mark, or w:trPr of a row
    if holder is None:
        return None
    if holder.tag == w("trPr"):
        return holder.getparent()
    props = holder.getparent()
    if holder.tag == w("rPr") and props is not None and props.tag == w("pPr"):
        return props.getparent()
    return None


def accept_revisions(root: Any) -> None:
    """Accept every tracked change in one XML part, in place."""
    for tag in _PROPERTY_CHANGES + _MARKS:
        for el in list(root.iter(w(tag))):
            _drop(el)
    # Rows and cells first: a deleted row takes its content with it.
    for el in list(root.iter(w("del"))):
        owner = _mark_of(el)
        if owner is not None and owner.tag == w("tr"):
            if owner.getparent() is not None:
                _drop(owner)
    for el in list(root.iter(w("cellDel"))):
        cell = el.getparent().getparent() if el.getparent() is not None else None
        if cell is not None and cell.tag == w("tc") and cell.getparent() is not None:
            _drop(cell)
    for tag in ("moveFrom",):
        for el in list(root.iter(w(tag))):
            if el.getparent() is not None:
                _drop(el)
    for el in list(root.iter(w("del"))):
        if el.getparent() is None:
            continue
        owner = _mark_of(el)
        if owner is not None and owner.tag == w("p"):
            _drop(el)
            _join_next(owner)
        elif owner is None:
            _drop(el)
    for tag in ("ins", "moveTo"):
        for el in list(root.iter(w(tag))):
            if el.getparent() is None:
                continue
            if el.getparent().tag in (w("rPr"), w("trPr")):
                _drop(el)  # an inserted paragraph mark or row: the mark stays, its record goes
            else:
                _unwrap(el)


def _join_next(para: Any) -> None:
    """Join ``para`` (whose mark was deleted) to the paragraph after it, as accepting the deletion does."""
    following = para.getnext()
    if following is None or following.tag != w("p"):
        return
    ppr = w("pPr")
    content = [child for child in para if child.tag != ppr]
    anchor = 1 if len(following) and following[0].tag == ppr else 0
    for child in reversed(content):
        following.insert(anchor, child)
    _drop(para)


def remove_template_link(package: Package) -> None:
    """Remove the attached-template relationships and the settings elements naming them."""
    from qmsdocs.body.inspect import ATTACHED_TEMPLATE, _rels_sources

    for part in _rels_sources(package):
        if not any(rel.type == ATTACHED_TEMPLATE for rel in package.rels(part)):
            continue
        package.drop_rels(part, lambda rel: rel.type != ATTACHED_TEMPLATE)
        if part in package.parts:
            root = package.xml(part)
            for el in list(root.iter(w("attachedTemplate"))):
                _drop(el)


def remove_comments(package: Package) -> None:
    """Remove every comment: its range marks, its reference runs and the comment parts."""
    for part in package.story_parts():
        if part in package.related(package.main, COMMENTS):
            continue
        root = package.xml(part)
        for tag in ("commentRangeStart", "commentRangeEnd"):
            for el in list(root.iter(w(tag))):
                _drop(el)
        for el in list(root.iter(w("commentReference"))):
            run = el.getparent()
            _drop(el)
            if run is not None and run.tag == w("r") and all(c.tag == w("rPr") for c in run):
                if run.getparent() is not None:
                    _drop(run)
    gone = package.drop_rels(package.main, lambda rel: rel.type.rsplit("/", 1)[-1] not in _COMMENT_PART_TYPES)
    for part in gone:
        package.remove(part)
        package.remove(package.rels_name(part))
        package.set_override(part, None)
