"""tools: the template and sample builders import one way and rebuild the shipped files."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from tools.samples.build import SAMPLES
from tools.templates.build import BODIES, build


def test_every_shipped_template_has_a_builder() -> None:
    assert sorted(BODIES) == sorted(p.stem for p in (ROOT / "templates").glob("*.docx"))


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_template_rebuilds_to_the_shipped_bytes(tmp_path: Path, name: str) -> None:
    assert build(name, tmp_path).read_bytes() == (ROOT / "templates" / f"{name}.docx").read_bytes()


def test_every_sample_workbook_has_a_builder() -> None:
    assert sorted(SAMPLES) == sorted(p.stem for p in (ROOT / "records").glob("*.xlsx"))


@pytest.mark.parametrize("package, expected", [
    ("tools.templates", "no template memo; the templates are plan, revlog, minutes, scores"),
    ("tools.samples", "no sample memo; the samples are plan, minutes, scores"),
])
def test_an_unknown_name_is_refused(package: str, expected: str) -> None:
    done = subprocess.run([sys.executable, "-m", package, "memo"], cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stderr.strip(), done.stdout) == (1, expected, "")
