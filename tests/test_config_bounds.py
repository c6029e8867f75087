"""qms.toml values within bounds: no NaN or runaway exponents, bounded widths, lengths and nesting."""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from qmsdocs import config
from qmsdocs.errors import ConfigError


def _load(tmp_path: Path, text: str) -> config.Config:
    path = tmp_path / "qms.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return config.load(path)


@pytest.mark.parametrize("text, message", [
    ("[scoring]\nleader_weight = nan", "scoring.leader_weight = nan must be a number between 0 and 1"),
    ("[scoring]\nleader_weight = -nan", "scoring.leader_weight = nan must be a number between 0 and 1"),
    ("[scoring]\nleader_weight = inf", "scoring.leader_weight = inf must be a number between 0 and 1"),
    ("[scoring]\nleader_weight = -inf", "scoring.leader_weight = -inf must be a number between 0 and 1"),
    ('[scoring]\nleader_weight = "NaN"', "scoring.leader_weight = 'NaN' must be a number between 0 and 1"),
    ('[scoring]\nleader_weight = "1e-999999999"',
     "scoring.leader_weight = '1e-999999999' must be a number between 0 and 1"),
    ('[scoring]\nleader_weight = "1e999999999"',
     "scoring.leader_weight = '1e999999999' must be a number between 0 and 1"),
    ('[scoring]\nleader_weight = "0.6 "', None),
    ('[scoring]\nleader_weight = "sixty"', "scoring.leader_weight = 'sixty' must be a number between 0 and 1"),
    ('[scoring]\nleader_weight = "' + "1" * 50 + '"',
     "scoring.leader_weight = '" + "1" * 50 + "' must be a number between 0 and 1"),
    ("[scoring]\nleader_weight = 1e-300", "scoring.leader_weight = 1e-300 must have at most 6 decimal places"),
    ("[scoring]\nleader_weight = 0.30000000000000004",
     "scoring.leader_weight = 0.30000000000000004 must have at most 6 decimal places"),
    ("[scoring]\nleader_weight = 2", "scoring.leader_weight = 2 must be between 0 and 1"),
    ("[scoring]\nleader_weight = -0.1", "scoring.leader_weight = -0.1 must be between 0 and 1"),
    ("[scoring.grades]\ngood = nan", "scoring.grades.good = nan must be a number from 0 to 100"),
    ("[scoring.grades]\ngood = inf", "scoring.grades.good = inf must be a number from 0 to 100"),
    ("[scoring.grades]\ngood = 1e308", "scoring.grades.good = 1e+308 must be from 0 to 100"),
    ('[scoring.grades]\ngood = "80"', "scoring.grades.good = '80' must be a number from 0 to 100"),
    ("[scoring.grades]\ngood = 80.125", "scoring.grades.good = 80.125 must have at most 2 decimal places"),
    ("[scoring.grades]\ngood = 101", "scoring.grades.good = 101 must be from 0 to 100"),
    ('[numbering]\npattern = "HO-{seq:300d}"',
     "numbering.pattern = 'HO-{seq:300d}': the width in {seq:300d} must be from 1 to 9, as in {seq:03d}"),
    ('[numbering]\npattern = "HO-{seq:099999999999d}"',
     "numbering.pattern = 'HO-{seq:099999999999d}': the width in {seq:099999999999d} must be from 1 to 9, "
     "as in {seq:03d}"),
    ('[numbering]\npattern = "HO-{year:10d}-{seq}"',
     "numbering.pattern = 'HO-{year:10d}-{seq}': the width in {year:10d} must be from 1 to 9, as in {year:03d}"),
    ('[numbering]\npattern = "HO-{seq:0d}"',
     "numbering.pattern = 'HO-{seq:0d}': the width in {seq:0d} must be from 1 to 9, as in {seq:03d}"),
    ('[numbering]\npattern = "' + "A" * 60 + '-{seq}"', "numbering.pattern is 66 characters long; at most 64 "
                                                          "are allowed"),
    ('company = "' + "公" * 201 + '"', "company is 201 characters long; at most 200 are allowed"),
    ('department = "' + "d" * 201 + '"', "department is 201 characters long; at most 200 are allowed"),
    ('reference = "' + "r" * 201 + '"', "reference is 201 characters long; at most 200 are allowed"),
    ('company = "ACME\\nLtd"', "company holds the control character U+000A at position 5; it must be one line of "
                               "plain text"),
    ('department = "\\tQA"', "department holds the control character U+0009 at position 1; it must be one line "
                             "of plain text"),
    ('reference = "GB\\u0000"', "reference holds the control character U+0000 at position 3; it must be one line "
                                "of plain text"),
    ('reference = "GB\\u0085T"', "reference holds the control character U+0085 at position 3; it must be one line "
                                 "of plain text"),
    ('[templates]\nplan = "' + "p" * 1001 + '"', "templates.plan is 1001 characters long; at most 1000 are allowed"),
    ("company = " + "[" * 3000 + "]" * 3000, "arrays or tables nested more than 8 levels deep"),
    ("company = " + "{a = " * 3000 + "}" * 3000, "arrays or tables nested more than 8 levels deep"),
    ("company = " + "[" * 20 + "]" * 20, "arrays or tables nested more than 8 levels deep"),
    ("company = [" + "1, " * 100 + "]",
     "company = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, … has the wrong type"),
])
def test_out_of_bounds_values_are_refused_with_one_line(tmp_path: Path, text: str, message: str | None) -> None:
    if message is None:
        assert _load(tmp_path, text).leader_weight == Decimal("0.6")
        return
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, text)
    assert str(exc.value) == f"{tmp_path / 'qms.toml'}: {message}"
    assert exc.value.exit_code == 2


@pytest.mark.parametrize("text, field, value", [
    ("[scoring]\nleader_weight = 0.75", "leader_weight", Decimal("0.75")),
    ('[scoring]\nleader_weight = "0.123456"', "leader_weight", Decimal("0.123456")),
    ("[scoring]\nleader_weight = 1", "leader_weight", Decimal("1")),
    ("[scoring]\nleader_weight = 1e-6", "leader_weight", Decimal("0.000001")),
    ('company = "' + "公" * 200 + '"', "company", "公" * 200),
    ('[numbering]\npattern = "HO-{year}-{seq:9d}"', "pattern", "HO-{year}-{seq:9d}"),
    ('[numbering]\npattern = "HO-{seq:01d}"', "pattern", "HO-{seq:01d}"),
])
def test_values_at_the_bounds_are_accepted(tmp_path: Path, text: str, field: str, value: object) -> None:
    assert getattr(_load(tmp_path, text), field) == value


def test_grade_floors_keep_their_decimals(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "[scoring.grades]\nexcellent = 90.5\ngood = 80.25\nsatisfactory = 70")
    assert cfg.grade_bands == {"excellent": Decimal("90.5"), "good": Decimal("80.25"), "satisfactory": Decimal(70)}


def test_qms_toml_is_read_only_if_a_regular_file_within_its_size(tmp_path: Path) -> None:
    path = tmp_path / "qms.toml"
    os.mkfifo(path)
    with pytest.raises(ConfigError) as exc:
        config.load(path)  # refused at once: never waits for a writer
    assert str(exc.value) == f"{path}: is a named pipe (FIFO), not a file"
    path.unlink()
    path.mkdir()
    with pytest.raises(ConfigError, match=r"qms.toml: is a folder, not a file$"):
        config.load(path)
    path.rmdir()
    path.write_text("# " + "x" * (2 * 1024 * 1024) + "\n")
    with pytest.raises(ConfigError) as exc:
        config.load(path)
    assert str(exc.value) == f"{path}: is 2.0 MiB; files over 1 MiB are refused"
