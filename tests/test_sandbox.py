"""A user's template is code we run: the sandbox must refuse every way out, with a clear error."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, tree_digest, sign
from qmsdocs.cli import cli
from qmsdocs.render import environment

PAYLOADS = [
    ("{{ ''.__class__.__mro__ }}", "refused by the template sandbox"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "refused by the template sandbox"),
    ("{{ cycler.__init__.__globals__ }}", "refused by the template sandbox"),
    ("{{ joiner.__init__.__globals__.os }}", "refused by the template sandbox"),
    ("{{ lipsum.__globals__['os'].popen('id').read() }}", "'lipsum' is undefined"),
    ("{{ namespace.__init__.__globals__ }}", "refused by the template sandbox"),
    ("{{ range.__init__.__globals__ }}", "refused by the template sandbox"),
    ("{{ self.__init__.__globals__ }}", "refused by the template sandbox"),
    ("{{ frame.__class__.__init__.__globals__ }}", "refused by the template sandbox"),
    ("{{ config.items() }}", "'config' is undefined"),
    ("{{ request.environ }}", "'request' is undefined"),
    ("{{ open('/etc/passwd').read() }}", "'open' is undefined"),
    ("{{ environ['HOME'] }}", "'environ' is undefined"),
    ("{% include '/etc/passwd' %}", "a template may not include or import other files"),
    ("{% import 'os' as os %}", "a template may not include or import other files"),
    ("{{ frame.update(doc_no='X') }}", "refused by the template sandbox"),
    ("{{ ''.format.__globals__ }}", "refused by the template sandbox"),
    ("{{ (L|attr('__class__')) }}", "refused by the template sandbox"),
]


@pytest.mark.parametrize("payload, message", PAYLOADS, ids=[p for p, _ in PAYLOADS])
def test_injection_payloads_are_refused(records: Path, plan_xlsx: Path, payload: str, message: str) -> None:
    import docx

    template = records / "evil.docx"
    document = docx.Document(ROOT / "templates" / "plan.docx")
    document.paragraphs[-1].add_run(payload)
    document.save(template)
    with open(records / "qms.toml", "a", encoding="utf-8") as f:
        f.write('plan = "evil.docx"\n')  # [templates] is the last table of the file
    before = tree_digest(records)
    result = CliRunner().invoke(cli, ["--records", str(records), "new", "plan", "--data", str(plan_xlsx)],
                                catch_exceptions=False)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {template}: ")
    assert message in line
    assert tree_digest(records) == before


def test_environment_offers_nothing_but_range() -> None:
    env = environment()
    assert set(env.globals) == {"range"}
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x="<a & b>") == "&lt;a &amp; b&gt;"
    assert env.from_string("{{ x }}").render(x="{{ 7*7 }}") == "{{ 7*7 }}"
