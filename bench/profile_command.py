"""Profile one ``qms new`` command: where its time goes, by phase and by function.

    python bench/profile_command.py scores 500    # qms new scores on a 500-staff round, fresh workspace
    python bench/profile_command.py split 500     # the same with --split DIR
    python bench/profile_command.py split 500 2   # … and --jobs 2 (the workers are not profiled)
    python bench/profile_command.py plan          # qms new plan on records/plan.xlsx

First the command runs once with a clock around each phase (imports included, as a user sees
it); then once more under cProfile, which slows Python code about twofold: read its shares,
not its seconds.
"""
from __future__ import annotations

import cProfile
import functools
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

PHASES: dict[str, float] = {}
_RUNNING: list[str] = []


def _timed(label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``func`` with a clock that counts for ``label`` unless an outer phase is already counting."""
    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        if _RUNNING:
            return func(*args, **kwargs)
        _RUNNING.append(label)
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            PHASES[label] = PHASES.get(label, 0.0) + time.perf_counter() - start
            _RUNNING.pop()
    return timed


def _clock_phases(kind: str) -> None:
    """Put a clock around each phase of ``qms new`` (the functions are looked up when called).

    Each function replaced here is one the library looks up on its module at the time of the call
    (imported inside the function that calls it), so the clock is what runs.
    """
    from qmsdocs import doctypes, render, rendering, working_copies

    doctype = doctypes.get("plan" if kind == "plan" else "scores")
    for field, label in (("read", "read the workbook (openpyxl's import included)"),
                         ("context", "score and build the template variables"),
                         ("media", "draw the charts (Pillow's import included)")):
        if getattr(doctype, field) is not None:
            object.__setattr__(doctype, field, _timed(label, getattr(doctype, field)))  # a frozen dataclass
    render.load_frozen_template = _timed("load the template (from the cache, else docxtpl and Jinja)",
                                         render.load_frozen_template)
    render.CompiledTemplate.fill = _timed("fill, check, compress the document", render.CompiledTemplate.fill)
    rendering.check_readback = _timed("read the saved document back", rendering.check_readback)
    working_copies.split = _timed("--split: working copies rendered, read back, written, synced",
                                  working_copies.split)


def _command(kind: str, staff: int, work: Path, jobs: int) -> list[str]:
    if kind == "plan":
        return ["new", "plan", "--data", str(ROOT / "records" / "plan.xlsx")]
    import make_data

    data = make_data.write(staff, work / f"scores-{staff}.xlsx")
    split = ["--split", "{ws}/exports/split", "--jobs", str(jobs)] if kind == "split" else []
    return ["new", "scores", "--data", str(data), *split]


def _workspace(work: Path, name: str) -> Path:
    from qmsdocs import workspace

    records = work / name
    workspace.init(records, "四川虹欧显示器件有限公司", "技术质量部", "zh")
    return records


def _run(args: list[str], records: Path) -> None:
    from qmsdocs.cli import cli

    saved, sys.stdout = sys.stdout, io.StringIO()  # the command's own output is not what is looked at
    try:
        code = cli(["--records", str(records), *[a.replace("{ws}", str(records)) for a in args]], prog_name="qms",
                   standalone_mode=False)
    finally:
        sys.stdout = saved
    if code:  # the command printed its error on stderr
        raise SystemExit(f"profile: qms {' '.join(args)} failed ({code})")


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "scores"
    staff = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    os.environ.setdefault("QMS_TODAY", "2026-11-20")
    work = Path(tempfile.mkdtemp(prefix="qms-profile-"))
    try:
        timed, profiled = _workspace(work, "timed"), _workspace(work, "profiled")
        args = _command(kind, staff, work, jobs)
        start = time.perf_counter()
        import qmsdocs.cli  # noqa: F401  (what every command imports first)

        PHASES["import qmsdocs.cli (click)"] = time.perf_counter() - start
        _clock_phases(kind)
        first = time.perf_counter()
        _run(args, timed)
        total = time.perf_counter() - first + PHASES["import qmsdocs.cli (click)"]
        shown = " ".join("DATA" if a.endswith(".xlsx") else "DIR" if a.startswith("{ws}") else a for a in args)
        print(f"qms {shown} ({staff if kind != 'plan' else 'sample'} staff): {total:.2f} s in this process")
        for label, seconds in PHASES.items():
            print(f"  {label:<62} {seconds:6.3f} s  {seconds / total:4.0%}")
        rest = total - sum(PHASES.values())
        print(f"  {'the rest (library imports, register, store, views, audit)':<62} {rest:6.3f} s  {rest / total:4.0%}")
        profiler = cProfile.Profile()
        profiler.enable()
        _run(args, profiled)
        profiler.disable()
        print("\nUnder cProfile (this process only), qmsdocs' own functions by cumulative time:")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(r"qmsdocs/(?!cli)", 25)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
