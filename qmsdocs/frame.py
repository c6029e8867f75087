"""The controlled frame every generated document carries (spec §7): cover, header, properties."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from qmsdocs.config import ROLES
from qmsdocs.labels import labels
from qmsdocs.status import mark

CONTENT_STATUS = {"draft": "Draft", "approved": "Approved", "effective": "Effective", "superseded": "Superseded",
                  "obsolete": "Obsolete", "withdrawn": "Withdrawn", "working_copy": "Uncontrolled working copy"}


@dataclass(frozen=True)
class Signature:
    role: str
    name: str
    date: str


@dataclass(frozen=True)
class RevisionRow:
    """One line of the revision record table (修订记录)."""

    version: str
    pages: str
    change_no: str
    changed_by: str
    effective_date: str
    summary: str


@dataclass(frozen=True)
class Frame:
    """What the cover, the page header and the core properties of one revision show."""

    company: str
    department: str
    language: str
    reference: str
    doc_no: str
    doc_type: str
    title: str
    version: str
    status: str
    created_on: dt.date
    release_date: str = ""
    effective_date: str = ""
    copy_no: str = ""
    signatures: tuple[Signature, ...] = ()
    history: tuple[RevisionRow, ...] = field(default_factory=tuple)

    def compiler(self) -> str:
        return next((s.name for s in self.signatures if s.role == "compile"), "")

    def context(self) -> dict[str, Any]:
        """Return the template variables of the frame (``frame.*`` and the label table ``L``)."""
        L = labels(self.language)
        approvals = []
        for role in ROLES:
            signed = [s for s in self.signatures if s.role == role]
            approvals.append({
                "role": role,
                "label": L[f"role_{role}"],
                "name": "、".join(s.name for s in signed) if self.language == "zh" else ", ".join(s.name for s in signed),
                "date": ", ".join(dict.fromkeys(s.date for s in signed)),
            })
        history = [
            {"no": index, "version": r.version, "pages": r.pages, "change_no": r.change_no,
             "changed_by": r.changed_by, "effective_date": r.effective_date, "summary": r.summary}
            for index, r in enumerate(self.history, start=1)
        ]
        return {
            "company": self.company,
            "department": self.department,
            "reference": self.reference,
            "doc_no": self.doc_no,
            "title": self.title,
            "version": self.version,
            "version_text": f"{self.version}版" if self.language == "zh" else self.version,
            "status": self.status,
            "mark": mark(L, self.status, self.effective_date),
            "compiled_on": self.created_on.isoformat(),
            "release_date": self.release_date,
            "effective_date": self.effective_date,
            "copy_no": self.copy_no,
            "approvals": approvals,
            "history": history,
        }

    def core_properties(self) -> dict[str, str]:
        """Return the core properties of the .docx (title, identifier, version, status, …)."""
        stamp = self.created_on.isoformat() + "T00:00:00Z"
        return {
            "title": self.title,
            "subject": self.doc_type,
            "creator": self.compiler(),
            "identifier": self.doc_no,
            "version": self.version,
            "contentStatus": CONTENT_STATUS[self.status],
            "language": "zh-CN" if self.language == "zh" else "en-US",
            "created": stamp,
            "modified": stamp,
        }

    def values(self) -> list[str]:
        """Return every free-text value of the frame, which the rendered file must contain."""
        out = [self.company, self.department, self.doc_no, self.title, self.version, self.reference]
        out += [s.name for s in self.signatures] + [s.date for s in self.signatures]
        for r in self.history:
            out += [r.pages, r.change_no, r.changed_by, r.summary, r.effective_date]
        out += [self.release_date, self.effective_date, self.copy_no]
        return [v for v in out if v]
