"""qmsdocs.xlsx.loading: the two process-wide adjustments of the reader are undone when it is done."""
from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest_workbooks import BIG, write_workbook
from qmsdocs.workbook import WorkbookReader
from qmsdocs.xlsx.loading import collector_held


def test_collector_held_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with collector_held():
        assert not gc.isenabled()
        with collector_held():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner use leaves it to the outermost
    assert gc.isenabled()


def test_collector_back_on_after_an_error() -> None:
    with pytest.raises(KeyError):
        with collector_held():
            raise KeyError("x")
    assert gc.isenabled()


def test_collector_left_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with collector_held():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_scores_reader_holds_the_collector_while_it_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    from qmsdocs.doctypes import scores
    from qmsdocs.resources import sample_path

    held = []
    read_all = scores._read_all

    def spy(reader: WorkbookReader) -> Any:
        held.append(not gc.isenabled())
        return read_all(reader)

    monkeypatch.setattr(scores, "_read_all", spy)
    data, warnings = scores.read(sample_path("scores.xlsx"), "scores.xlsx")
    assert (held, len(data.staff), gc.isenabled()) == ([True], 13, True)


def test_reading_a_table_leaves_the_collector_alone(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "big.xlsx", {"Big": [["n", "s"], [1, "a"], [2, "b"]]})
    with WorkbookReader(path, "big.xlsx") as reader:
        assert [r.values for r in reader.table(BIG)] == [{"n": 1, "s": "a"}, {"n": 2, "s": "b"}]
        assert gc.isenabled()


def _run(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


HIDDEN = """
import sys
from qmsdocs.xlsx.loading import import_openpyxl
openpyxl = import_openpyxl()
from openpyxl.drawing import image
print("openpyxl" in sys.modules, "PIL" in sys.modules, sys.modules.get("PIL", 0) is None, image.PILImage is False)
import PIL.Image
print(PIL.Image.new("RGB", (2, 1)).size == (2, 1))
"""


def test_openpyxl_imported_without_pillow_which_imports_as_usual_afterwards() -> None:
    assert _run(HIDDEN) == ["True", "False", "False", "True", "True"]


LOADED = """
import PIL.Image
from qmsdocs.xlsx.loading import import_openpyxl
import_openpyxl()
from openpyxl.drawing import image
print(image.PILImage is PIL.Image)
"""


def test_openpyxl_imported_as_usual_when_pillow_is_loaded() -> None:
    assert _run(LOADED) == ["True"]
