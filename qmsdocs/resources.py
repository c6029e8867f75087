"""The files qmsdocs ships: the templates and the sample workbooks, found through ``importlib.resources``.

In a checkout they are the top-level ``templates/`` and ``records/`` folders; the build maps them
into the installed package as ``qmsdocs.templates`` and ``qmsdocs.samples`` (``setup.cfg``), so the
same lookups work from a wheel, an editable install or the source tree.
"""
from __future__ import annotations

import atexit
import contextlib
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from qmsdocs.errors import UsageError

if TYPE_CHECKING:
    from importlib.abc import Traversable

TEMPLATES = "qmsdocs.templates"
SAMPLES = "qmsdocs.samples"

#: Files extracted from an archive (a zipped install) stay on disk until the process exits.
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


#: Where the files are in a source tree that is not installed (``python cli.py`` from a checkout).
_SOURCE_FOLDERS = {TEMPLATES: "templates", SAMPLES: "records"}


def _folder(package: str) -> Traversable:
    from importlib.util import find_spec

    try:
        spec = find_spec(package)
    except ModuleNotFoundError:
        spec = None
    if spec is None:
        return Path(__file__).resolve().parent.parent / _SOURCE_FOLDERS[package]
    # An installed folder is used as it is; importlib.resources (slower to import) only for archives.
    locations = list(spec.submodule_search_locations or [])
    if locations and Path(locations[0]).is_dir():
        return Path(locations[0])
    from importlib import resources

    return resources.files(package)


def _resource(package: str, name: str) -> Traversable:
    if "/" in name or "\\" in name or name.startswith("."):
        raise UsageError(f"{name!r}: not a file name of the shipped {package.rsplit('.', 1)[1]}")
    found = _folder(package) / name
    if not found.is_file():
        raise UsageError(f"{name}: not among the shipped {package.rsplit('.', 1)[1]} (is qmsdocs installed whole?)")
    return found


@functools.lru_cache(maxsize=None)
def _stable_path(package: str, name: str) -> Path:
    # A plain installation hands back the file itself; an archive's member is copied out once.
    found = _resource(package, name)
    if isinstance(found, Path):
        return found
    from importlib import resources

    return Path(_extracted.enter_context(resources.as_file(found)))


def template_folder() -> Traversable:
    """Return the folder of the shipped templates (in a checkout: templates/)."""
    return _folder(TEMPLATES)


def template_bytes(name: str) -> bytes:
    """Return the bytes of the shipped template ``name`` (e.g. ``plan.docx``)."""
    return _resource(TEMPLATES, name).read_bytes()


def template_path(name: str) -> Path:
    """Return a path of the shipped template ``name`` that stays valid while the process runs."""
    return _stable_path(TEMPLATES, name)


def sample_path(name: str) -> Path:
    """Return a path of the shipped sample workbook ``name`` (e.g. ``plan.xlsx``), valid while the process runs."""
    return _stable_path(SAMPLES, name)
