"""Build the sample workbooks: ``python -m tools.samples [NAME ...]`` (``make samples``) writes every
sample, or those named, into ``records/``.
"""
from __future__ import annotations

from tools.samples import minutes, plan, scores
from tools.samples.fill import fill

#: The rows of each sample workbook, by the workbook's type.
SAMPLES = {"plan": plan.PLAN, "minutes": minutes.MINUTES, "scores": scores.SCORES}


def main(names: list[str]) -> None:
    """Write the samples ``names`` (all when empty), printing each path written."""
    unknown = [name for name in names if name not in SAMPLES]
    if unknown:
        raise SystemExit(f"no sample {', '.join(unknown)}; the samples are {', '.join(SAMPLES)}")
    for name in names or list(SAMPLES):
        print(fill(name, SAMPLES[name]))

