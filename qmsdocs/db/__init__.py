"""The register: one typed interface (:class:`Register`) over a database engine.

The rest of qmsdocs speaks to the register only through :class:`~qmsdocs.db.base.Register`:
portable SQL with ``?`` placeholders, rows as plain dicts, one write transaction per command.
The embedded engine is SQLite (:mod:`qmsdocs.db.sqlite`); a department's shared register runs
on PostgreSQL (:mod:`qmsdocs.db.postgresql`).
"""
from __future__ import annotations

from qmsdocs.db.base import Register, Row

__all__ = ["Register", "Row"]
