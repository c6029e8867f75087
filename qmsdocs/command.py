"""One writing command: the workspace lock, one register transaction, one trail entry, then the views.

Every writing command runs as::

    with run(ws) as cmd:
        doc_id = cmd.insert("documents", {...})      # row changes, imaged into the trail
        sha = cmd.put(data)                          # objects, stored before the commit
        cmd.record("new", doc_no=..., changes=...)   # the trail entry
        cmd.touch(doc_id)                            # views to materialize after the commit

The objects are in the store before the transaction that references them commits; the trail
entry is the transaction's last statement. After the commit the command has succeeded: the views
of the touched documents are written from the store, and a view that cannot be written is a
warning, never a failure (``qms repair`` or the next writing command writes it).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from qmsdocs import audit
from qmsdocs.audit import Head
from qmsdocs.faults import crashpoint
from qmsdocs.i18n import _
from qmsdocs.workspace import Workspace


@dataclass
class Command:
    """What one writing command changes, collected for its trail entry and its views."""

    ws: Workspace
    #: The trail's head when the command began: what the files it renders witness.
    start: Head
    rows: list[tuple[str, int]] = field(default_factory=list)
    entry: dict[str, Any] | None = None
    touched: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    head: Head | None = None

    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert a row; its image goes into the trail entry. Return its id."""
        row_id = self.ws.register.insert(table, values)
        self.rows.append((table, row_id))
        return row_id

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        """Change columns of one row; its new image goes into the trail entry."""
        sets = ", ".join(f"{k} = ?" for k in values)
        self.ws.register.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*values.values(), row_id])
        self.rows.append((table, row_id))

    def put(self, data: bytes) -> str:
        """Store ``data`` as an object (durably, before the commit) and return its sha256."""
        return self.ws.store.stage(data)

    def record(self, action: str, changes: dict[str, Any], *, actor: str | None = None, account: str | None = None,
               doc_no: str | None = None, version: str | None = None, reason: str | None = None) -> None:
        """Set the command's trail entry (appended at the end of the transaction)."""
        self.entry = {"action": action, "changes": changes, "actor": actor, "account": account, "doc_no": doc_no,
                      "version": version, "reason": reason}

    def touch(self, document_id: int) -> None:
        """Name a document whose views the command changes."""
        if document_id not in self.touched:
            self.touched.append(document_id)


@contextmanager
def run(ws: Workspace) -> Iterator[Command]:
    """Run one writing command: lock, transaction, trail entry, commit, then views (see module doc)."""
    from qmsdocs import views

    with ws.lock():
        try:
            with ws.register.transaction():
                cmd = Command(ws, audit.head(ws.register))
                yield cmd
                stored = dict(ws.store.staged)
                ws.store.flush()  # objects are on disk before the rows that reference them commit
                crashpoint("staged")
                if cmd.entry is not None:
                    e = cmd.entry
                    cmd.head = audit.append(ws.register, e["action"], e["actor"], e["changes"], account=e["account"],
                                            doc_no=e["doc_no"], version=e["version"], reason=e["reason"],
                                            rows=cmd.rows)
                crashpoint("prepared")
            crashpoint("committed")
            # The views take what this command stored from memory, not back from the store.
            ws.store.staged.update(stored)
            try:
                cmd.warnings += views.materialize(ws, cmd.touched)
            except OSError as exc:
                from qmsdocs.store import describe_os_error

                cmd.warnings.append(_("the view files could not be written ({cause}); run: qms repair").format(
                    cause=describe_os_error(exc)))
        finally:
            ws.store.staged.clear()
