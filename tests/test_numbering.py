"""Document numbers: the pattern's fields decide what ``{seq}`` counts, and the pattern is checked."""
from __future__ import annotations

from pathlib import Path

import pytest

from qmsdocs import config, lifecycle, numbering, workspace
from qmsdocs.errors import ConfigError
from qmsdocs.workspace import Workspace


def _workspace(tmp_path: Path, pattern: str) -> Path:
    root = workspace.init(tmp_path / "w", language="en")
    text = (root / "qms.toml").read_text(encoding="utf-8")
    (root / "qms.toml").write_text(text.replace('pattern = "HO-JZ-{code}-{year}-{seq:03d}"',
                                                f'pattern = "{pattern}"'), encoding="utf-8")
    return root


def _numbers(root: Path, steps: list[tuple[str, str]], plan_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Create a document per (day, type) step; return their numbers."""
    minutes = Path(__file__).resolve().parent.parent / "records" / "minutes.xlsx"
    out = []
    for day, kind in steps:
        monkeypatch.setenv("QMS_TODAY", day)
        ws = Workspace.open(root, write=True)
        try:
            out.append(lifecycle.new(ws, kind, plan_xlsx if kind == "plan" else minutes)["doc_no"])
        finally:
            ws.close()
    return out


STEPS = [("2026-11-20", "plan"), ("2026-12-01", "minutes"), ("2026-12-02", "plan"), ("2027-01-04", "plan"),
         ("2027-01-05", "minutes")]


@pytest.mark.parametrize(("pattern", "expected"), [
    ("Q-{code}-{year}-{seq:03d}", ["Q-KP-2026-001", "Q-HY-2026-001", "Q-KP-2026-002", "Q-KP-2027-001",
                                   "Q-HY-2027-001"]),
    # Without {year} the numbers of a type continue across years.
    ("Q-{code}-{seq:03d}", ["Q-KP-001", "Q-HY-001", "Q-KP-002", "Q-KP-003", "Q-HY-002"]),
    # Without {code} one sequence serves every type, restarting each year.
    ("Q-{year}-{seq:03d}", ["Q-2026-001", "Q-2026-002", "Q-2026-003", "Q-2027-001", "Q-2027-002"]),
    # With neither, one sequence for everything, for ever.
    ("Q{seq:04d}", ["Q0001", "Q0002", "Q0003", "Q0004", "Q0005"]),
])
def test_seq_counts_per_the_fields_the_pattern_holds(tmp_path: Path, plan_xlsx: Path,
                                                     monkeypatch: pytest.MonkeyPatch, pattern: str,
                                                     expected: list[str]) -> None:
    root = _workspace(tmp_path, pattern)
    assert _numbers(root, STEPS, plan_xlsx, monkeypatch) == expected


@pytest.mark.parametrize(("pattern", "counter"), [
    ("Q-{code}-{year}-{seq}", "seq:KP/2026"), ("Q-{code}-{seq}", "seq:KP/*"), ("Q-{year}-{seq}", "seq:*/2026"),
    ("{seq:05d}", "seq:*/*"),
])
def test_the_counter_is_named_by_the_fields_present(pattern: str, counter: str) -> None:
    assert numbering.counter_name(pattern, "KP", 2026) == counter


@pytest.mark.parametrize(("pattern", "message"), [
    ("DOC-{year}", "numbering.pattern = 'DOC-{year}' has no {seq}; every number needs its sequence, as in "
                   "HO-{code}-{year}-{seq:03d}"),
    ("DOC", "numbering.pattern = 'DOC' has no {seq}; every number needs its sequence, as in "
            "HO-{code}-{year}-{seq:03d}"),
    ("HO-{Year}-{seq}", "numbering.pattern = 'HO-{Year}-{seq}': unknown field {Year}; the fields are {code}, {year} "
                        "and {seq}"),
    ("HO-{dept}-{seq}", "numbering.pattern = 'HO-{dept}-{seq}': unknown field {dept}; the fields are {code}, {year} "
                        "and {seq}"),
    *[(f"HO{c}{{seq}}", f"numbering.pattern = 'HO{c}{{seq}}': {c!r} cannot be in a document number, which names its "
                        "files (not allowed: spaces, braces outside a field and \\ / : * ? \" < > |)")
      for c in "/:*?<>|{}"],
    ("HO {seq}", "numbering.pattern = 'HO {seq}': a space cannot be in a document number, which names its files "
                 "(not allowed: spaces, braces outside a field and \\ / : * ? \" < > |)"),
])
def test_the_configuration_check_refuses_bad_patterns(pattern: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.from_dict({"numbering": {"pattern": pattern}}, "qms.toml")
    assert str(caught.value) == f"qms.toml: {message}"


@pytest.mark.parametrize("pattern", ["文件-{code}-{seq}", "{year}{seq:02d}", "QR.{code}.{seq}", "HO-JZ-{seq}-{seq}"])
def test_patterns_that_name_files_are_accepted(pattern: str) -> None:
    assert config.from_dict({"numbering": {"pattern": pattern}}, "qms.toml").pattern == pattern
