"""Shared fixtures: a fresh workspace, a fixed 'today', and input workbooks built on the fly."""
from __future__ import annotations


import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest

from qmsdocs import clock, workspace
from qmsdocs.workspace import Workspace

# A throw-away PostgreSQL server for the tests that need one.
from pgserver import _pg_roster, pg_records, pg_server, pg_url  # noqa: E402,F401

TODAY = "2026-11-20"
ROOT = Path(__file__).resolve().parent.parent

PLAN_FIELDS: dict[str, Any] = {
    "title": "Evaluation plan Q4",
    "period": "2026 Q4",
    "purpose": "Evaluate service staff objectively.",
    "scope": "All customer-service staff.",
    "organizer": "Wang Jianguo",
    "start": dt.date(2026, 12, 1),
    "end": "2026-12-20",
    "meeting_date": dt.date(2026, 12, 2),
    "summary_method": "Weighted totals, ranked.",
    "feedback_method": "One-to-one talks.",
}
PLAN_INDICATORS = [
    ["Q1", "First-time fix", "quantitative", "performance", 40, "first_pass_rate", "90%", None, "check, measure"],
    ["Q2", "Repeat repairs", "定量", "过程", 20, "repeat_rate", 0.05, 0.15, "查、看"],
    ["S1", "Attitude", "qualitative", "capability", 40, None, "80 points", None, "listen, ask"],
]
PLAN_SCHEDULE = [["Plan the round", dt.date(2026, 11, 24), dt.date(2026, 11, 30), "Wang", "Plan"]]
PLAN_EVALUATORS = [["Wang Jianguo", "Team leader", "leader"], ["Li Ming", "Engineer", "peer"]]


def write_plan(path: Path, fields: dict[str, Any] | None = None, indicators: list[list[Any]] | None = None,
               schedule: list[list[Any]] | None = None, evaluators: list[list[Any]] | None = None) -> Path:
    """Write a filled plan workbook (English headers) and return its path."""
    from qmsdocs.blank import build_blank

    wb = build_blank("plan", "en")
    values = dict(PLAN_FIELDS, **(fields or {}))
    ws = wb["Plan"]
    ws.delete_rows(2, ws.max_row)
    for key, value in values.items():
        ws.append([key, value])
    for name, rows in (("Indicators", indicators or PLAN_INDICATORS), ("Schedule", schedule or PLAN_SCHEDULE),
                       ("Evaluators", evaluators or PLAN_EVALUATORS)):
        for row in rows:
            wb[name].append(row)
    wb.save(path)
    return path


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("QMS_TODAY", TODAY)
    monkeypatch.delenv("QMS_RECORDS", raising=False)
    return TODAY


@pytest.fixture(autouse=True)
def english_outside_workspaces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages where no workspace sets the language are English, whatever the machine's locale."""
    monkeypatch.setenv("QMS_LANG", "en")


#: The test roster: every name signs the role of the same name; "Admin" administers it.
PASSWORD = "test-password-1"
ROSTER = (("Admin", "admin"), ("Wang Jianguo", "compile"), ("Chen Jing", "standardize"),
          ("Zhou Zhiqiang", "review"), ("Li Ming", "countersign"), ("Zhao Deming", "approve"),
          ("Sun Li", "countersign"))
SIGNERS = {"compile": "Wang Jianguo", "standardize": "Chen Jing", "review": "Zhou Zhiqiang",
           "countersign": "Li Ming", "approve": "Zhao Deming"}


def add_roster(root: Path) -> None:
    """Put the test roster in the workspace at ``root``, each with PASSWORD set."""
    from qmsdocs import people

    w = Workspace.open(root, write=True)
    try:
        for name, roles in ROSTER:
            added = people.add(w, name, roles, by=None if name == "Admin" else "Admin", password=PASSWORD)
            people.set_password(w, name, PASSWORD, code=added["code"])
    finally:
        w.close()


#: Set QMS_TODAY for a block (for fixtures wider than one test, where monkeypatch cannot go).
today_is = clock.today_is


@pytest.fixture(scope="session")
def _roster_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace with the roster, made once (passwords are slow to hash on purpose) and copied."""
    root = tmp_path_factory.mktemp("template") / "ws"
    with today_is(TODAY):
        workspace.init(root, "Hong'ou Display", "Technical Quality Dept.", "en")
        add_roster(root)
    return root


@pytest.fixture
def records(tmp_path: Path, _roster_template: Path, request: pytest.FixtureRequest) -> Path:
    """Return the folder of a fresh workspace (English documents) with the test roster.

    ``QMS_TEST_ENGINE=postgresql`` runs the tests on a PostgreSQL register instead (tests/pgserver.py).
    """
    import os
    import shutil

    if os.environ.get("QMS_TEST_ENGINE") == "postgresql":
        return Path(request.getfixturevalue("pg_records"))
    root = tmp_path / "ws"
    shutil.copytree(_roster_template, root)
    return root


@pytest.fixture
def ws(records: Path):
    w = Workspace.open(records, write=True)
    yield w
    w.close()


#: Short names older tests sign with, and the rostered people they stand for.
SHORT = {"Wang": "Wang Jianguo", "Zhou": "Zhou Zhiqiang", "Zhao": "Zhao Deming", "Li": "Li Ming",
         "Chen": "Chen Jing"}


def ensure_signer(w: Workspace, name: str, role: str) -> str:
    """Return the rostered name for ``name``, adding the person (or the role) to the roster if needed."""
    import json

    from qmsdocs import people
    from qmsdocs.errors import QmsError

    name = SHORT.get(name, name)
    try:
        person = people.find(w, name)
    except QmsError:
        added = people.add(w, name, role, by="Admin", password=PASSWORD)
        people.set_password(w, name, PASSWORD, code=added["code"])
        return name
    roles = json.loads(person["roles"])
    if role not in roles:
        people.change(w, name, "roles", "Admin", PASSWORD, ",".join(roles + [role]))
    return name


def sign(w: Workspace, doc_no: str, role: str, name: str | None = None, date: str | None = None) -> dict[str, Any]:
    """Sign as the roster's signer of ``role`` (or ``name``, rostered on the fly) with the test password."""
    from qmsdocs import lifecycle

    who = ensure_signer(w, name or SIGNERS[role], role)
    return lifecycle.sign(w, doc_no, role, who, date, password=PASSWORD)


def sign_all(w: Workspace, doc_no: str, roles: tuple[str, ...] = ("compile", "review", "approve")) -> None:
    for role in roles:
        sign(w, doc_no, role)


@pytest.fixture
def plan_xlsx(tmp_path: Path) -> Path:
    return write_plan(tmp_path / "plan.xlsx")


def tree_digest(root: Path) -> dict[str, str]:
    """Return the sha256 of every file below ``root`` (to prove a refused command changed nothing)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}
