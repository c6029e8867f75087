"""What a revision's status is today, derived from the register and the date.

A release with a future effective date records the revision as ``approved`` (批准待生效). From
that date on it is effective and the revision it replaces superseded, without any command having
to run on the day: every reader derives the status here. Writing commands also settle the
register's rows to the derived status (with their trail images), so the stored status catches up.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from qmsdocs.db import Row

STATUSES = ("draft", "approved", "effective", "superseded", "obsolete", "withdrawn")
#: Statuses of a revision that is, or will be, in force.
_IN_FORCE = ("effective", "approved")


def _due(rev: Row, today: dt.date) -> bool:
    return rev["status"] == "effective" or (
        rev["status"] == "approved" and bool(rev["effective_date"]) and rev["effective_date"] <= today.isoformat())


def derive(revisions: Sequence[Row], today: dt.date) -> dict[int, str]:
    """Return the status of each revision (by id) as of ``today``.

    The newest revision that is effective, or approved with its date reached, is effective; any
    other such revision is superseded; the rest keep their recorded status.
    """
    due = [r for r in revisions if _due(r, today)]
    current = max(due, key=lambda r: (r["major"], r["minor"])) if due else None
    out = {}
    for rev in revisions:
        if rev["status"] in _IN_FORCE and _due(rev, today):
            out[rev["id"]] = "effective" if rev is current else "superseded"
        else:
            out[rev["id"]] = rev["status"]
    return out


def in_force(revisions: Sequence[Row], today: dt.date) -> Row | None:
    """Return the revision in force today, or None."""
    statuses = derive(revisions, today)
    return next((r for r in revisions if statuses[r["id"]] == "effective"), None)


def pending_approval(revisions: Sequence[Row], today: dt.date) -> Row | None:
    """Return the revision approved but not yet effective today, or None."""
    statuses = derive(revisions, today)
    return next((r for r in revisions if statuses[r["id"]] == "approved"), None)


def open_draft(revisions: Sequence[Row]) -> Row | None:
    """Return the document's open draft revision, or None."""
    return next((r for r in revisions if r["status"] == "draft"), None)


def mark(labels: dict[str, str], status: str, effective_date: str | None) -> str:
    """Return the status mark a file prints (草稿 DRAFT, 批准待生效 2026-12-01, 受控 CONTROLLED, …)."""
    text = labels[f"mark_{status}"]
    if status == "approved" and effective_date:
        text = f"{text} {effective_date}"
    return text
