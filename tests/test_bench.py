"""The benchmark script works: its quick mode's smallest figure runs and prints the table.

Nothing here asserts a time: a unit test is no place to measure speed (bench/run.py is), and a
slow or busy machine must not fail the suite.
"""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

BENCH = ROOT / "bench"


def test_quick_help_figure_prints_the_table() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--only", "help"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].split()[:2] == ["figure", "what"]
    row = lines[2].split()
    assert row[0] == "help" and row[-1] in ("PASS", "FAIL")


def test_figures_are_listed() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--list"], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.split() == ["help", "plan", "scores", "split", "read", "memory", "postgres"]


def test_raw_limit_writes_readable_documents(tmp_path) -> None:
    import docx

    subprocess.run([sys.executable, str(BENCH / "raw_limit.py"), str(ROOT / "templates" / "scores.docx"), "2",
                    str(tmp_path)], capture_output=True, text=True, timeout=60, check=True)
    files = sorted(tmp_path.glob("*.docx"))
    assert len(files) == 2
    assert docx.Document(str(files[0])).paragraphs


def test_scaled_workbook_reads_like_the_sample(tmp_path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import make_data
    finally:
        sys.path.remove(str(BENCH))
    from qmsdocs.doctypes import scores

    path = make_data.write(7, tmp_path / "scores-7.xlsx")
    data, warnings = scores.read(path, path.name)
    assert (len(data.staff), len(data.ratings), warnings) == (7, 7 * 3 * 4, [])
    assert len({p.name for p in data.staff}) == 7
