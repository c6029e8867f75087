"""The wheel: built from the source tree, installed outside the checkout, it runs on its own files."""
from __future__ import annotations

import importlib.util
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from qmsdocs import resources
from qmsdocs.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "qmsdocs", "templates", "records")
needs_build_tools = pytest.mark.skipif(
    not (importlib.util.find_spec("setuptools") and importlib.util.find_spec("wheel")),
    reason="setuptools and wheel are needed to build the wheel offline (pip install -e '.[test]' installs them)")


@pytest.mark.parametrize("name", ["plan.docx", "minutes.docx", "scores.docx", "revlog.docx"])
def test_templates_are_found_as_package_data(name: str) -> None:
    assert resources.template_bytes(name) == (ROOT / "templates" / name).read_bytes()
    assert resources.template_path(name).read_bytes()[:2] == b"PK"


def test_unknown_or_escaping_names_are_refused() -> None:
    with pytest.raises(UsageError, match=r"^nothing\.docx: not among the shipped templates"):
        resources.template_bytes("nothing.docx")
    with pytest.raises(UsageError, match=r"not a file name of the shipped samples"):
        resources.sample_path("../setup.cfg")


def test_every_package_of_the_source_tree_is_listed_for_the_wheel() -> None:
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "qmsdocs").rglob("__init__.py")}
    assert found <= listed, f"setup.cfg [options] packages misses {sorted(found - listed)}"


def _build_wheel(tmp_path: Path) -> Path:
    # Built from a copy, so the checkout gets no build/ or .egg-info folder.
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite"))
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(out), str(src)], check=True, capture_output=True, timeout=300)
    (wheel,) = out.glob("qmsdocs-*.whl")
    return wheel


def _fresh_env(tmp_path: Path) -> Path:
    """Return the python of a new venv that sees this environment's packages (not its qmsdocs)."""
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120)
    python = env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # A .pth line adds a folder to sys.path without running the .pth files in it, so the
    # editable install of the checkout stays out of the new environment.
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
    Path(purelib, "test-environment.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return python


@pytest.mark.slow
@needs_build_tools
def test_the_wheel_runs_outside_the_checkout(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("plan", "minutes", "scores", "revlog"):
        assert f"qmsdocs/templates/{name}.docx" in names
    for name in ("plan", "minutes", "scores"):
        assert f"qmsdocs/samples/{name}.xlsx" in names
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "qmsdocs").rglob("*.py")}
    assert sources <= set(names), sorted(sources - set(names))
    python = _fresh_env(tmp_path)
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "QMS_RECORDS")}
    qms = python.parent / ("qms.exe" if os.name == "nt" else "qms")

    def run(*args: str) -> str:
        done = subprocess.run([str(qms), *args], cwd=work, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run([python, "-c", "import qmsdocs.resources as r; print(r.__file__); "
                            "print(r.sample_path('plan.xlsx'))"], cwd=work, env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    assert all(Path(p).is_relative_to(tmp_path / "env") for p in where), where
    run("init", "ws", "--company", "Hong'ou Display")
    out = run("--records", "ws", "new", "plan", "--data", where[1])
    assert "HO-JZ-KP-2026-001" in out
    assert (work / "ws" / "documents" / "HO-JZ-KP-2026-001").is_dir()
    out = run("demo", "--out", "demo")
    assert (work / "demo" / "qms.toml").is_file()
    assert len(list((work / "demo" / "documents").rglob("*.docx"))) >= 4
