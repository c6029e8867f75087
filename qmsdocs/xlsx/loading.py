"""The two process-wide adjustments the workbook reader makes for speed, and nothing else.

Everything else in qmsdocs leaves the interpreter's state alone; these two are kept here, each
behind one function, so that they are easy to find, to test and to drop.
"""
from __future__ import annotations

import contextlib
import gc
import sys
from types import ModuleType
from typing import Iterator

#: Modules openpyxl imports if it can but a reader never uses: numpy, to recognise numpy numbers
#: written into cells, and Pillow, to keep the pictures of a workbook it saves again.
UNUSED_BY_READER = ("numpy", "PIL")


def import_openpyxl() -> ModuleType:
    """Return the openpyxl module, imported without numpy and Pillow if neither is loaded yet.

    The two take a third of openpyxl's import time when numpy is installed, which is most of a
    ``qms new plan``. They are hidden only while openpyxl imports (a ``None`` in ``sys.modules``
    makes ``import numpy`` raise ImportError, which openpyxl expects), so whoever needs them later
    (Pillow, for the charts) imports them as usual; openpyxl then simply does not know numpy's
    number types, which qmsdocs never hands it.
    """
    if "openpyxl" in sys.modules or any(name in sys.modules for name in UNUSED_BY_READER):
        import openpyxl

        return openpyxl
    for name in UNUSED_BY_READER:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import openpyxl
    finally:
        for name in UNUSED_BY_READER:
            del sys.modules[name]
    return openpyxl


@contextlib.contextmanager
def collector_held() -> Iterator[None]:
    """Hold the cyclic garbage collector while a big workbook's rows become objects.

    Reading thousands of staff creates hundreds of thousands of objects that all stay alive and
    hold no cycles; the collector would walk all of them again and again as they pile up, which
    costs a sixth of the time openpyxl takes to read them. The reader of a document type that
    reads such workbooks holds it around its whole read (the scores reader does); the reader of
    sheets itself does not. Nested uses are fine: the outermost one turns it back on.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
