"""The kind registry: built-in kinds and their codes, kinds a workspace adds in qms.toml, their bounds."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PASSWORD, ROOT, sign
from qmsdocs import config, kinds, lifecycle
from qmsdocs.cli import cli
from qmsdocs.errors import ConfigError, RuleError
from qmsdocs.workspace import Workspace

REGULATION = ROOT / "records" / "regulation.docx"
DRAWING = '[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "DRAWING"\ncode = "TZ"\n'


def test_built_in_kinds_and_their_codes() -> None:
    cfg = config.Config()
    assert cfg.kind_names() == ("plan", "minutes", "scores", "manual", "procedure", "regulation", "instruction",
                                "form")
    assert {k: cfg.codes[k] for k in cfg.kind_names()[3:]} == {
        "manual": "SC", "procedure": "CX", "regulation": "GL", "instruction": "ZY", "form": "BD"}
    assert [kinds.get(k, cfg).label("zh") for k in cfg.kind_names()[3:]] == [
        "质量手册", "程序文件", "管理办法", "作业指导书", "表单"]
    assert [kinds.get(k, cfg).input_option for k in cfg.kind_names()] == ["--data"] * 3 + ["--body"] * 5


def test_the_file_init_writes_names_every_code(records: Path) -> None:
    cfg = config.load(records / "qms.toml")
    assert cfg.codes == config.DEFAULT_CODES and cfg.kinds == {}


def test_a_workspace_adds_a_kind_without_code_changes(records: Path) -> None:
    (records / "qms.toml").write_text((records / "qms.toml").read_text() + "\n" + DRAWING)
    w = Workspace.open(records, write=True)
    try:
        made = lifecycle.new(w, "drawing", body=REGULATION, title="Front panel")
        assert made["doc_no"] == "HO-JZ-TZ-2026-001" and made["type"] == "drawing"
        import docx

        cover = [p.text for p in docx.Document(made["path"]).paragraphs[:2]]
        assert cover == ["Hong'ou Display", "Technical Quality Dept. DRAWING"]
    finally:
        w.close()
    shown = CliRunner().invoke(cli, ["--records", str(records), "list", "--type", "drawing", "--json"])
    assert [d["doc_no"] for d in json.loads(shown.stdout)["documents"]] == ["HO-JZ-TZ-2026-001"]


def test_a_kind_keeps_its_cover_label_after_qms_toml_drops_it(records: Path) -> None:
    original = (records / "qms.toml").read_text()
    (records / "qms.toml").write_text(original + "\n" + DRAWING)
    w = Workspace.open(records, write=True)
    try:
        before = Path(lifecycle.new(w, "drawing", body=REGULATION, title="Front panel")["path"]).read_bytes()
    finally:
        w.close()
    (records / "qms.toml").write_text(original)
    w = Workspace.open(records, write=True)
    try:
        from qmsdocs import audit
        from qmsdocs.clock import today
        from qmsdocs.rendering import render_revision

        from qmsdocs.verify import properties

        rev = w.register.one("SELECT * FROM revisions")
        head = audit.Head.parse(properties(before, "drawing")["qmsdocs.chain"])
        assert head is not None
        # Rendered again from the bundle alone: the same bytes, the cover still says DRAWING.
        assert render_revision(w, rev, "draft", head, today()) == before
    finally:
        w.close()


def test_a_kind_sets_its_own_required_roles_and_pattern(records: Path) -> None:
    text = (records / "qms.toml").read_text() + '\n[kinds.form]\nrequired = ["compile", "approve"]\n' \
        'pattern = "BD-{seq:04d}"\n'
    (records / "qms.toml").write_text(text)
    w = Workspace.open(records, write=True)
    try:
        with pytest.raises(RuleError) as info:
            lifecycle.new(w, "form", body=REGULATION, title="T")
        assert "release.required_by_kind" in str(info.value)
        lifecycle.apply_config(w, "Admin", lambda _: PASSWORD)
        made = lifecycle.new(w, "form", body=REGULATION, title="T")
        assert made["doc_no"] == "BD-0001"
        sign(w, "BD-0001", "compile")
        sign(w, "BD-0001", "approve")
        assert lifecycle.release(w, "BD-0001")["status"] == "effective"
        plan_required = lifecycle.required_roles(lifecycle.recorded_control(w.register), "plan")
        assert plan_required == ["compile", "review", "approve"]
    finally:
        w.close()


@pytest.mark.parametrize("text, message", [
    ('[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "DRAWING"',
     'kinds.drawing needs a code (1 to 8 letters or digits), e.g. code = "TZ"'),
    ('[kinds.drawing]\nlabel_en = "DRAWING"\ncode = "TZ"', "kinds.drawing needs label_zh (the name its cover shows)"),
    ('[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "DRAWING"\ncode = "GL"',
     "kinds.drawing.code = 'GL' is already the code of regulation ('GL'); each kind needs a code of its own "
     "(compared without regard to case)"),
    ('[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "DRAWING"\ncode = "gl"',
     "kinds.drawing.code = 'gl' is already the code of regulation ('GL'); each kind needs a code of its own "
     "(compared without regard to case)"),
    ('[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "D"\ncode = "TZ"\n[kinds.sketch]\nlabel_zh = "草图"\n'
     'label_en = "S"\ncode = "tz"',
     "kinds.sketch.code = 'tz' is already the code of drawing ('TZ'); each kind needs a code of its own "
     "(compared without regard to case)"),
    ('[numbering.codes]\nform = "CX"',
     "numbering.codes.form = 'CX' is already the code of procedure ('CX'); each kind needs a code of its own "
     "(compared without regard to case)"),
    ('[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "T-Z"\ncode = "T-Z"',
     "kinds.drawing.code = 'T-Z' must be 1 to 8 letters or digits"),
    ('[kinds.drawing]\nlabel_zh = "图\\u0007纸"\nlabel_en = "D"\ncode = "TZ"',
     "kinds.drawing.label_zh holds the control character U+0007 at position 2; it must be one line of plain text"),
    ('[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "DRA\\nWING"\ncode = "TZ"',
     "kinds.drawing.label_en holds the control character U+000A at position 4; it must be one line of plain text"),
    ('[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "DRA\\u200bWING"\ncode = "TZ"',
     "kinds.drawing.label_en holds the invisible character U+200B at position 4; it must be plain text"),
    ('[kinds.Drawing]\nlabel_zh = "图纸"\nlabel_en = "D"\ncode = "TZ"',
     "kinds.Drawing: a kind's name is 1 to 32 lowercase letters, digits or _, starting with a letter (and not revlog)"),
    ('[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "D"\ncode = "TZ"\ncolour = "red"',
     "unknown key kinds.drawing.colour (known: label_zh, label_en, code, required, pattern)"),
    ('[kinds.form]\nrequired = ["compile"]',
     "kinds.form.required = ['compile'] must list roles from compile, standardize, review, countersign, approve and "
     "include approve"),
    ('[kinds.form]\npattern = "BD"', "kinds.form.pattern = 'BD' has no {seq}; every number needs its sequence, as in "
                                     "HO-{code}-{year}-{seq:03d}"),
    ('[kinds.plan]\nlabel_zh = "计划"', "kinds.plan: the labels of a generated kind come from its template"),
    ('[kinds.drawing]\nlabel_zh = "图纸"\nlabel_en = "D"\ncode = "TZ"\n[numbering.codes]\ndrawing = "TX"',
     "kinds.drawing.code = 'TZ' differs from numbering.codes.drawing = 'TX'; give the code once"),
    ('[numbering.codes]\ndrawing = "TX"', "unknown key numbering.codes.drawing (known: plan, minutes, scores, manual, "
                                          "procedure, regulation, instruction, form)"),
    ("\n".join(f'[kinds.k{n}]\nlabel_zh = "k"\nlabel_en = "k"\ncode = "K{n}"' for n in range(65)),
     "[kinds] names 65 kinds; at most 64 are allowed"),
])
def test_bad_kind_tables_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "qms.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        config.load(path)
    assert str(exc.value) == f"{path}: {message}"


def test_an_unknown_kind_is_a_usage_error_listing_the_workspace_kinds(records: Path) -> None:
    (records / "qms.toml").write_text((records / "qms.toml").read_text() + "\n" + DRAWING)
    result = CliRunner().invoke(cli, ["--records", str(records), "new", "memo", "--body", str(REGULATION)])
    assert (result.exit_code, result.stderr) == (
        2, "Error: unknown kind 'memo'; known: plan, minutes, scores, manual, procedure, regulation, instruction, "
           "form, drawing (a workspace adds Word-document kinds in qms.toml: [kinds.NAME])\n")
