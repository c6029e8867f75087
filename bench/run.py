"""The benchmark of ``qms``: each figure's median over several runs, as a ratio to a baseline.

These machines are noisy, so the result is a ratio to a baseline measured in the same run, with
baseline and subject runs taken in turn: a slow minute slows both. Every command runs in a
process of its own, in a fresh copy of a workspace, with ``QMS_TODAY`` fixed.

    python bench/run.py                 # the whole benchmark (a few minutes on 2 cores)
    python bench/run.py --quick         # fewer runs on a smaller round: does it work at all?
    python bench/run.py --only help     # some figures only (see --list)
    python bench/run.py --markdown      # the table as Markdown, for docs/performance.md

The exit code is 0 whatever the figures say (pass --strict to fail on a budget missed): timing
is for people to read, not for a test to assert.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

TODAY = "2026-11-20"


@dataclass(frozen=True)
class Scale:
    """How big and how often: the full benchmark or the quick one."""

    staff: int  # staff of the scores round for new scores and --split
    read_staff: int  # staff of the workbook read (and of the peak memory run)
    repeat: int  # timed runs of each command (after one warm-up run)


FULL = Scale(staff=500, read_staff=2000, repeat=7)
QUICK = Scale(staff=40, read_staff=100, repeat=2)


@dataclass
class Figure:
    """One line of the table: a subject against its baseline, and the budget of their ratio."""

    name: str
    what: str
    baseline: str
    #: The highest ratio (or value) that passes; None for a figure shown for information only.
    budget: float | None
    unit: str = "s"
    subject_times: list[float] = field(default_factory=list)
    baseline_times: list[float] = field(default_factory=list)
    #: A figure that is not a ratio of times (peak memory): its value, compared to the budget.
    value: float | None = None

    @property
    def subject(self) -> float:
        return statistics.median(self.subject_times) if self.subject_times else float("nan")

    @property
    def base(self) -> float:
        return statistics.median(self.baseline_times) if self.baseline_times else float("nan")

    @property
    def ratio(self) -> float:
        return self.value if self.value is not None else self.subject / self.base

    @property
    def passed(self) -> bool:
        return self.budget is None or self.ratio <= self.budget


class Bench:
    """Runs commands in fresh workspaces and collects the figures."""

    def __init__(self, scale: Scale, work: Path, log: Callable[[str], None]) -> None:
        self.scale = scale
        self.work = work
        self.log = log
        self.env = dict(os.environ, QMS_TODAY=TODAY)
        self.env.pop("QMS_RECORDS", None)
        # Byte-compiled modules, as any installed copy has them (this repository's checkout may not).
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.python = sys.executable
        script = Path(sys.executable).with_name("qms")
        self.qms = [str(script)] if script.exists() else [self.python, str(ROOT / "cli.py")]
        self._pristine: Path | None = None
        self._data: dict[int, Path] = {}
        self._runs = 0

    # -- inputs ------------------------------------------------------------------------------
    def workspace(self) -> Path:
        """Return a fresh copy of an empty workspace."""
        if self._pristine is None:
            self._pristine = self.work / "pristine"
            self.run(self.qms + ["init", str(self._pristine), "--company", "四川虹欧显示器件有限公司",
                                 "--department", "技术质量部"])
        self._runs += 1
        fresh = self.work / f"ws-{self._runs}"
        shutil.copytree(self._pristine, fresh)
        return fresh

    def scores(self, staff: int) -> Path:
        """Return a scores workbook of ``staff`` people (made once per benchmark)."""
        if staff not in self._data:
            import make_data

            self._data[staff] = make_data.write(staff, self.work / f"scores-{staff}.xlsx")
        return self._data[staff]

    # -- running -----------------------------------------------------------------------------
    def run(self, argv: list[str], cwd: Path | None = None) -> float:
        """Run a command to its end; return its wall time. A failing command stops the benchmark."""
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd or self.work, env=self.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"bench: {' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return elapsed

    def output(self, argv: list[str]) -> str:
        done = subprocess.run(argv, cwd=self.work, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"bench: {' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return done.stdout

    def measure(self, runs: dict[str, Callable[[], float]]) -> dict[str, list[float]]:
        """Time every run ``repeat`` times, in turn, after one warm-up each; return the times by name.

        The order rotates from one round to the next, so no command always follows the same one's
        disk and cache traffic, and a slow minute of the machine falls on all of them alike.
        """
        for run in runs.values():
            run()
        times: dict[str, list[float]] = {name: [] for name in runs}
        names = list(runs)
        for index in range(self.scale.repeat):
            shift = index % len(names)
            for name in names[shift:] + names[:shift]:
                times[name].append(runs[name]())
        for name, values in times.items():
            self.log(f"    {name}: " + " ".join(f"{v:.3f}" for v in values))
        return times

    def compare(self, figure: Figure, subject: Callable[[], float], baseline: Callable[[], float]) -> Figure:
        """Time subject and baseline in turn, after one warm-up run of each."""
        times = self.measure({"subject": subject, "baseline": baseline})
        figure.subject_times, figure.baseline_times = times["subject"], times["baseline"]
        self.log(f"  {figure.name}: {figure.subject:.3f} s / {figure.base:.3f} s = {figure.ratio:.2f}")
        return figure

    def qms_in(self, *args: str) -> Callable[[], float]:
        """Return a runner of ``qms --records <fresh workspace> ARGS``."""
        def go() -> float:
            records = self.workspace()
            argv = [a.replace("{ws}", str(records)) for a in args]
            return self.run(self.qms + ["--records", str(records), *argv], cwd=records.parent)
        return go

    def python_c(self, code: str) -> Callable[[], float]:
        return lambda: self.run([self.python, "-c", code])

    def peak_rss(self, argv: list[str]) -> float:
        """Return the peak resident memory of a command, in MiB (measured by a process of its own)."""
        out = self.output([self.python, str(BENCH / "run.py"), "--peak-of", *argv])
        return float(out.strip().splitlines()[-1])


# -- the figures ----------------------------------------------------------------------------------
FLOOR = "import docxtpl, openpyxl"
#: Two equal shares of busy work (about 0.5 s each), one after the other or in two processes at once.
_SPIN = "def spin():\n    x = 0\n    for i in range(8_000_000):\n        x += i\n"
SERIAL = _SPIN + "spin(); spin()"
PARALLEL = _SPIN + "import os\npid = os.fork()\nspin()\nos._exit(0) if pid == 0 else os.waitpid(pid, 0)"


def fig_help(b: Bench) -> list[Figure]:
    f = Figure("help", "qms --help", 'python -c "import click"', 1.5)
    return [b.compare(f, lambda: b.run(b.qms + ["--help"]), b.python_c("import click"))]


def fig_plan(b: Bench) -> list[Figure]:
    f = Figure("plan", "qms new plan (records/plan.xlsx)", "import floor", 1.5)
    return [b.compare(f, b.qms_in("new", "plan", "--data", str(ROOT / "records" / "plan.xlsx")),
                      b.python_c(FLOOR))]


def fig_scores(b: Bench) -> list[Figure]:
    data = str(b.scores(b.scale.staff))
    n = b.scale.staff
    f = Figure("scores", f"qms new scores, {n} staff", "import floor", 8)
    return [b.compare(f, b.qms_in("new", "scores", "--data", data), b.python_c(FLOOR))]


def fig_split(b: Bench) -> list[Figure]:
    """The --split figures: the command, one document's cost, and what --jobs 2 makes of it."""
    data = str(b.scores(b.scale.staff))
    n = b.scale.staff
    split_args = ("new", "scores", "--data", data, "--split", "{ws}/exports/split")
    times = b.measure({
        "floor": b.python_c(FLOOR),
        "scores": b.qms_in("new", "scores", "--data", data),
        "jobs1": b.qms_in(*split_args, "--jobs", "1"),
        "jobs2": b.qms_in(*split_args, "--jobs", "2"),
        # What two busy processes make of the machine at the same moments: the best --jobs 2 can do.
        "serial": b.python_c(SERIAL),
        "parallel": b.python_c(PARALLEL),
        "raw": lambda: float(b.output([b.python, str(BENCH / "raw_limit.py"), str(ROOT / "templates" / "scores.docx"),
                                       str(n)])),
    })
    split = Figure("split", f"qms new scores --split DIR, {n} staff", "import floor", 15,
                   subject_times=times["jobs1"], baseline_times=times["floor"])
    # Differences of medians, not medians of differences: each command's noise is damped first.
    median = {name: statistics.median(values) for name, values in times.items()}
    # One split document: the command with --split less the one without, per person, against
    # the raw limit of one document (bench/raw_limit.py).
    per_doc = Figure("per-doc", "one --split document: (split − scores) / staff", "raw limit (bench/raw_limit.py)",
                     10, subject_times=[(median["jobs1"] - median["scores"]) / n], baseline_times=times["raw"])
    # --jobs renders the split documents in several processes: the part of the command it speeds up.
    jobs = Figure("jobs", "split part (split − scores) with --jobs 2", "the same with --jobs 1", 0.6,
                  subject_times=[median["jobs2"] - median["scores"]],
                  baseline_times=[median["jobs1"] - median["scores"]])
    whole = Figure("jobs-all", f"whole --split command with --jobs 2, {n} staff", "the same with --jobs 1", None,
                   subject_times=times["jobs2"], baseline_times=times["jobs1"])
    cores = Figure("cores", "two busy processes at once (bench/run.py PARALLEL)", "the same work in one", None,
                   subject_times=times["parallel"], baseline_times=times["serial"])
    for f in (split, per_doc, jobs, whole, cores):
        b.log(f"  {f.name}: {f.subject:.4f} s / {f.base:.4f} s = {f.ratio:.2f}")
    return [split, per_doc, jobs, whole, cores]


def fig_read(b: Bench) -> list[Figure]:
    data = str(b.scores(b.scale.read_staff))
    n = b.scale.read_staff
    f = Figure("read", f"read a {n}-staff scores workbook (qmsdocs)", "openpyxl read_only, values_only", 1.2)
    script = str(BENCH / "read_workbook.py")
    return [b.compare(f, lambda: float(b.output([b.python, script, "qmsdocs", data])),
                      lambda: float(b.output([b.python, script, "openpyxl", data])))]


def fig_memory(b: Bench) -> list[Figure]:
    data = str(b.scores(b.scale.read_staff))
    n = b.scale.read_staff
    records = b.workspace()
    mib = b.peak_rss(b.qms + ["--records", str(records), "new", "scores", "--data", data,
                              "--xlsx", str(records / "exports" / "results.xlsx"),
                              "--split", str(records / "exports" / "split")])
    f = Figure("memory", f"peak RSS, new scores --xlsx --split, {n} staff", "MiB", 250, unit="MiB", value=mib)
    b.log(f"  memory: {mib:.0f} MiB")
    return [f]


# -- a shared register on PostgreSQL --------------------------------------------------------------
class PostgresDesks:
    """Fresh PostgreSQL workspaces for the figures: a throw-away server (tests/pgserver.py), one
    pristine register copied as a template database for every run (the copy is not timed)."""

    def __init__(self, b: Bench) -> None:
        sys.path.insert(0, str(ROOT / "tests"))
        import pgserver

        self.b = b
        self.pgserver = pgserver
        self.server = pgserver.Server()
        self.template = self.server.create_database()
        self.pristine = b.work / "pg-pristine"
        b.run(b.qms + ["init", str(self.pristine), "--company", "四川虹欧显示器件有限公司", "--department", "技术质量部",
                       "--database", self.server.url(self.template)])

    def workspace(self) -> Path:
        """Return a fresh desk folder on a fresh copy of the pristine register."""
        self.b._runs += 1
        fresh = self.b.work / f"pg-ws-{self.b._runs}"
        shutil.copytree(self.pristine, fresh)
        self.pgserver.set_url(fresh, self.server.url(self.server.create_database(self.template)))
        return fresh

    def close(self) -> None:
        self.server.remove()


def _qms_on(b: Bench, fresh: Callable[[], Path], *args: str) -> Callable[[], float]:
    def go() -> float:
        records = fresh()
        return b.run(b.qms + ["--records", str(records), *args], cwd=records.parent)
    return go


def _concurrent(b: Bench, fresh: Callable[[], Path], n: int, *args: str) -> Callable[[], float]:
    """Return a runner of ``n`` processes of one command started at once on one fresh workspace."""
    def go() -> float:
        records = fresh()
        env = dict(b.env, QMS_BUSY_TIMEOUT="600")
        start = time.perf_counter()
        procs = [subprocess.Popen(b.qms + ["--records", str(records), *args], cwd=records.parent, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(n)]
        errors = [p.communicate()[1] for p in procs]
        elapsed = time.perf_counter() - start
        if any(p.returncode for p in procs):
            raise SystemExit(f"bench: {n} × qms {' '.join(args)} failed: {[e for e in errors if e][:1]}")
        return elapsed
    return go


def fig_postgres(b: Bench) -> list[Figure]:
    """The same commands on a PostgreSQL register and on SQLite, in turn (skipped without a server)."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - pytest missing
        b.log(f"  postgres: skipped ({exc})")
        return []
    reason = pgserver.missing()
    if reason:
        b.log(f"  postgres: skipped ({reason})")
        return []
    desks = PostgresDesks(b)
    try:
        plan = str(ROOT / "records" / "plan.xlsx")
        data = str(b.scores(b.scale.staff))
        n = b.scale.staff
        figures = [
            b.compare(Figure("pg-plan", "qms new plan on PostgreSQL", "the same on SQLite", 1.3),
                      _qms_on(b, desks.workspace, "new", "plan", "--data", plan),
                      _qms_on(b, b.workspace, "new", "plan", "--data", plan)),
            b.compare(Figure("pg-scores", f"qms new scores, {n} staff, on PostgreSQL", "the same on SQLite", 1.3),
                      _qms_on(b, desks.workspace, "new", "scores", "--data", data),
                      _qms_on(b, b.workspace, "new", "scores", "--data", data)),
            b.compare(Figure("pg-16", "16 × qms new plan at once on PostgreSQL", "the same on SQLite", 1.5),
                      _concurrent(b, desks.workspace, 16, "new", "plan", "--data", plan),
                      _concurrent(b, b.workspace, 16, "new", "plan", "--data", plan)),
        ]
    finally:
        desks.close()
    return figures


FIGURES: dict[str, Callable[[Bench], list[Figure]]] = {
    "help": fig_help, "plan": fig_plan, "scores": fig_scores, "split": fig_split, "read": fig_read,
    "memory": fig_memory, "postgres": fig_postgres,
}


# -- output ---------------------------------------------------------------------------------------
def _shown(seconds: float, unit: str) -> str:
    if unit == "MiB":
        return f"{seconds:.0f} MiB"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds:.2f} s"


def table(figures: list[Figure], markdown: bool) -> str:
    header = ["figure", "what", "median", "baseline", "baseline median", "ratio", "budget", "result"]
    rows = []
    for f in figures:
        result = "—" if f.budget is None else "PASS" if f.passed else "FAIL"
        if f.value is not None:
            rows.append([f.name, f.what, _shown(f.value, f.unit), "—", "—", "—", f"≤ {f.budget:g} MiB", result])
        else:
            budget = "—" if f.budget is None else f"≤ {f.budget:g}×"
            rows.append([f.name, f.what, _shown(f.subject, f.unit), f.baseline, _shown(f.base, f.unit),
                         f"{f.ratio:.2f}×", budget, result])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header] + rows)


def machine() -> str:
    """Return one line on the machine: cores, CPU model, Python."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()} on {platform.system()}"


def peak_of(argv: list[str]) -> None:
    """Run ``argv`` as the only child of this process and print its peak RSS in MiB."""
    import resource

    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # Linux counts kibibytes, macOS bytes.
    print(f"{peak / (1024 * 1024 if sys.platform == 'darwin' else 1024):.1f}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--peak-of":
        peak_of(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description="Benchmark qms against its budgets.")
    parser.add_argument("--quick", action="store_true", help="fewer runs on a smaller round (a smoke test)")
    parser.add_argument("--only", nargs="+", choices=list(FIGURES), metavar="FIGURE", help="run these figures only")
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    parser.add_argument("--repeat", type=int, help="timed runs of each command")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a figure misses its budget")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args()
    if args.list:
        print("\n".join(FIGURES))
        return
    scale = QUICK if args.quick else FULL
    if args.repeat:
        scale = Scale(scale.staff, scale.read_staff, args.repeat)
    names = args.only or list(FIGURES)
    log = (lambda line: print(line, file=sys.stderr, flush=True))
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="qms-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        log(f"bench: {machine()}; {scale.repeat} runs each; work in {work}")
        bench = Bench(scale, work, log)
        figures = [f for name in names for f in FIGURES[name](bench)]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{machine()}; median of {scale.repeat} runs; {time.perf_counter() - started:.0f} s in all")
    print(table(figures, args.markdown))
    if args.strict and not all(f.passed for f in figures):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
