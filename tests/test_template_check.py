"""A user's own template: unknown and missing placeholders are found before anyone relies on it."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from conftest import ROOT
from qmsdocs import lifecycle, ooxml
from qmsdocs import reports
from qmsdocs.cli import cli
from qmsdocs.errors import ReadbackError, TemplateError
from qmsdocs.workspace import Workspace


def _edit(src: Path, dest: Path, old: str, new: str) -> Path:
    """Copy a template, replacing text inside one paragraph as a user would in Word."""
    document = docx.Document(src)
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if old in run.text:
                run.text = run.text.replace(old, new)
    document.save(dest)
    return dest


def test_shipped_templates_pass() -> None:
    for kind in ("plan", "minutes", "scores", "revlog"):
        result = CliRunner().invoke(cli, ["template", "check", str(ROOT / "templates" / f"{kind}.docx"), "--type",
                                          kind, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["ok"] is True


def test_two_loops_may_name_their_item_alike() -> None:
    from qmsdocs.template_check import template_paths

    source = "{% for p in present %}{{ p.name }}{% endfor %}{% for p in absent %}{{ p.no }}{% endfor %}"
    assert template_paths(source) == {"present[].name", "absent[].no"}


def test_unknown_and_missing_placeholders(tmp_path: Path) -> None:
    mine = _edit(ROOT / "templates" / "plan.docx", tmp_path / "mine.docx", "{{ plan.purpose }}",
                 "{{ plan.purpos }}")
    result = CliRunner().invoke(cli, ["template", "check", str(mine), "--type", "plan"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{mine}: problems", "  unknown placeholder: plan.purpos",
                                          "  missing placeholder: plan.purpose"]


def test_workspace_uses_its_own_template(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    shutil.copy(ROOT / "templates" / "plan.docx", records / "own.docx")
    _edit(records / "own.docx", records / "own.docx", "{{ L.purpose }}", "Our purpose")
    with open(records / "qms.toml", "a", encoding="utf-8") as f:
        f.write('plan = "own.docx"\n')  # the [templates] table is the file's last
    ws = Workspace.open(records, write=True)
    document = docx.Document(lifecycle.new(ws, "plan", plan_xlsx)["path"])
    ws.close()
    assert "1 Our purpose" in [p.text for p in document.paragraphs]


def test_a_template_that_drops_a_value_is_refused(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    _edit(ROOT / "templates" / "plan.docx", records / "own.docx", "{{ plan.scope }}", "")
    with open(records / "qms.toml", "a", encoding="utf-8") as f:
        f.write('plan = "own.docx"\n')
    ws = Workspace.open(records, write=True)
    try:
        lifecycle.new(ws, "plan", plan_xlsx)
        raise AssertionError("rendered without the scope")
    except ReadbackError as exc:
        own = records / "own.docx"
        assert str(exc) == (f"{own}: the plan template does not print plan.scope; nothing was registered "
                            f"(see: qms template check {own} --type plan)")
    assert reports.list_documents(ws) == {"documents": []}
    ws.close()


def test_sandbox_refuses_injection(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    _edit(ROOT / "templates" / "plan.docx", records / "evil.docx", "{{ plan.scope }}",
          "{{ plan.scope }}{{ ''.__class__.__mro__ }}")
    with open(records / "qms.toml", "a", encoding="utf-8") as f:
        f.write('plan = "evil.docx"\n')
    ws = Workspace.open(records, write=True)
    try:
        lifecycle.new(ws, "plan", plan_xlsx)
        raise AssertionError("the sandbox let it through")
    except TemplateError as exc:
        assert "refused by the template sandbox" in str(exc)
        assert "__class__" in str(exc)
    ws.close()


def test_a_template_printing_another_field_in_its_place_is_refused(ws: Workspace, records: Path,
                                                                    tmp_path: Path) -> None:
    from conftest import write_plan

    # The scope text equals the period text: a search of the whole text would find "both".
    same = write_plan(tmp_path / "same.xlsx", fields={"scope": "Q4 2026", "period": "Q4 2026"})
    _edit(ROOT / "templates" / "plan.docx", records / "own.docx", "{{ plan.scope }}", "{{ plan.period }}")
    with open(records / "qms.toml", "a", encoding="utf-8") as f:
        f.write('plan = "own.docx"\n')
    w = Workspace.open(records, write=True)
    with pytest.raises(ReadbackError, match="the plan template does not print plan.scope"):
        lifecycle.new(w, "plan", same)
    assert reports.list_documents(w) == {"documents": []}
    w.close()


def test_the_saved_file_is_read_back_paragraph_by_paragraph(ws: Workspace, plan_xlsx: Path) -> None:
    import io
    import zipfile

    from qmsdocs import readback
    from qmsdocs.render import load_template

    template = load_template(ROOT / "templates" / "plan.docx")
    layout = readback.layout_of(template.sources)
    fields = {f for slot in layout.slots for f in slot.fields}
    assert {"plan.scope", "plan.period", "i.code", "frame.doc_no", "r.change_no"} <= fields
    path = Path(lifecycle.new(ws, "plan", plan_xlsx)["path"])
    package = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        body = zf.read("word/document.xml").decode()
    assert "All customer-service staff." in body

    def swapped(old: str, new: str) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "word/document.xml":
                    data = data.decode().replace(old, new, 1).encode()
                dst.writestr(info, data)
        return out.getvalue()

    context = _context_of(ws, path)
    readback.check_saved(package, layout, context, "plan")  # the file as saved passes
    with pytest.raises(ReadbackError, match=r"word/document.xml lacks the paragraph 'All customer-service staff.'"):
        readback.check_saved(swapped("All customer-service staff.", "All customer-service staff"), layout,
                             context, "plan")
    # A value found elsewhere in the text is not found in its place: the scope paragraph must show it.
    moved = {**context, "plan": {**context["plan"], "scope": context["plan"]["period"]}}
    assert context["plan"]["period"] in ooxml.document_text(package)
    with pytest.raises(ReadbackError, match="lacks the paragraph"):
        readback.check_saved(package, layout, moved, "plan")


def _context_of(ws: Workspace, path: Path) -> dict:
    """Return the context the plan at ``path`` was rendered with (draft, as of today)."""
    from qmsdocs import bundle as bundle_mod
    from qmsdocs import clock, doctypes
    from qmsdocs.labels import labels
    from qmsdocs.rendering import build_frame, parse_input

    rev = ws.register.one("SELECT * FROM revisions")
    bundle = bundle_mod.load(ws.store, rev["bundle_sha256"])
    frame = build_frame(ws, rev, "draft", clock.today(), bundle, "")
    config = bundle.config(ws.config)
    return {"frame": frame.context(), "L": labels(config.language),
            **doctypes.get(bundle.kind).context(parse_input(ws, bundle), config)}
