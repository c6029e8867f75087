"""qms.toml: the file init writes loads; every bad key or value is exit 2 naming it."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from qmsdocs import config, workspace
from qmsdocs.errors import ConfigError
from qmsdocs.workspace import Workspace


def test_init_writes_every_setting_with_its_default(records: Path) -> None:
    cfg = config.load(records / "qms.toml")
    assert cfg == config.Config(company="Hong'ou Display", department="Technical Quality Dept.", language="en")
    assert cfg.required_roles == ("compile", "review", "approve")
    assert cfg.leader_weight == Decimal("0.6")
    assert cfg.reference == "GB/T 19001-2016"


@pytest.mark.parametrize("text, message", [
    ('language = "fr"', "language = 'fr' must be one of: zh, en"),
    ('colour = "red"', "unknown key colour (known: company, department, language, messages, reference, numbering, "
                       "versions, release, signatures, review, scoring, templates, register, kinds)"),
    ('[numbering]\npattern = "DOC-{year}"', "numbering.pattern = 'DOC-{year}' has no {seq}; every number needs its "
                                            "sequence, as in HO-{code}-{year}-{seq:03d}"),
    ('[numbering.codes]\nplan = "K P"', "numbering.codes.plan = 'K P' must be 1 to 8 letters or digits"),
    ('[numbering.codes]\nplan = "HY"', "numbering.codes.plan = 'HY' is already the code of minutes ('HY'); each kind "
                                      "needs a code of its own (compared without regard to case)"),
    ('[versions]\nscheme = "roman"', "versions.scheme = 'roman' must be one of: decimal, letter"),
    ('[release]\nrequired = ["compile", "boss"]', "release.required = ['compile', 'boss'] must list roles from "
                                                  "compile, standardize, review, countersign, approve and include approve"),
    ('[scoring]\nleader_weight = 1.5', "scoring.leader_weight = 1.5 must be between 0 and 1"),
    ('[scoring.grades]\ngood = 95', "scoring.grades must descend: excellent > good > satisfactory"),
    ('[scoring.grades]\nsuperb = 99', "unknown key scoring.grades.superb (known: excellent, good, satisfactory)"),
    ('[templates]\nmemo = "x.docx"', "unknown key templates.memo (known: plan, minutes, scores, revlog)"),
    ('company = 5', "company = 5 has the wrong type"),
    ('company = "unclosed', "Illegal character '\\n' (at line 1, column 20)"),
])
def test_bad_settings_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "qms.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        config.load(path)
    assert str(exc.value) == f"{path}: {message}"
    assert exc.value.exit_code == 2


def test_a_broken_toml_in_a_workspace_is_reported_with_its_line(records: Path) -> None:
    path = records / "qms.toml"
    path.write_text(path.read_text() + "\n[scoring\n")
    with pytest.raises(ConfigError, match=r"qms.toml: .*\(at line \d+, column \d+\)"):
        Workspace.open(records, write=True)


def test_numbering_pattern_and_codes_are_used(tmp_path: Path, plan_xlsx: Path) -> None:
    from qmsdocs import lifecycle

    root = workspace.init(tmp_path / "w", language="en")
    text = (root / "qms.toml").read_text().replace('pattern = "HO-JZ-{code}-{year}-{seq:03d}"',
                                                   'pattern = "QR/{code}/{year}/{seq:04d}x"'.replace("/", "-"))
    (root / "qms.toml").write_text(text.replace('plan = "KP"', 'plan = "PLN"'))
    ws = Workspace.open(root, write=True)
    assert lifecycle.new(ws, "plan", plan_xlsx)["doc_no"] == "QR-PLN-2026-0001x"
    ws.close()
