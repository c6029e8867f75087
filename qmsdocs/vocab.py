"""Enumerated values of the workbooks, each with its Chinese and English label."""
from __future__ import annotations

import functools

#: key -> (zh, en) for every enumerated value a workbook cell may hold.
CHOICES: dict[str, dict[str, tuple[str, str]]] = {
    "kind": {"quantitative": ("定量", "Quantitative"), "qualitative": ("定性", "Qualitative")},
    "dimension": {
        "capability": ("能力", "Capability"),
        "process": ("过程", "Process"),
        "performance": ("绩效", "Performance"),
    },
    "metric": {
        "first_pass_rate": ("一次修复合格率", "First-time fix pass rate"),
        "repeat_rate": ("二次修复率", "Repeat-repair rate"),
        "complaint_rate": ("投诉率", "Complaint rate"),
        "scrap_rate": ("废损率", "Scrap/damage rate"),
    },
    "method": {
        "listen": ("听", "listen"),
        "check": ("查", "check"),
        "look": ("看", "look"),
        "visit": ("访", "visit"),
        "test": ("考", "test"),
        "measure": ("测", "measure"),
        "ask": ("问", "ask"),
    },
    "evaluator_type": {"leader": ("领导", "Leader"), "peer": ("同事", "Peer")},
    "present": {"yes": ("是", "yes"), "no": ("否", "no")},
}

_EXTRA_SPELLINGS = {
    "present": {"y": "yes", "n": "no", "true": "yes", "false": "no", "1": "yes", "0": "no", "√": "yes", "×": "no"},
    "evaluator_type": {"组长": "leader", "领导评价": "leader", "同事互评": "peer", "互评": "peer"},
}


def lookup(vocab: str, text: str) -> str | None:
    """Return the canonical key for a typed value (key or label, any case), or None if unknown."""
    return _spellings(vocab).get(text.strip().casefold())


@functools.lru_cache(maxsize=None)
def _spellings(vocab: str) -> dict[str, str]:
    """Return every accepted spelling of a vocabulary, casefolded, with its key (a cell is read by one look-up)."""
    out: dict[str, str] = {}
    for key, (zh, en) in CHOICES[vocab].items():
        for spelling in (key, zh, en):
            out.setdefault(spelling.casefold(), key)
    for spelling, key in _EXTRA_SPELLINGS.get(vocab, {}).items():
        out.setdefault(spelling, key)
    return out


def label(vocab: str, key: str, language: str) -> str:
    """Return the label of a canonical key in the document language."""
    zh, en = CHOICES[vocab][key]
    return zh if language == "zh" else en


def expected(vocab: str) -> str:
    """Return the list of accepted values for an error message: ``a, b (甲, 乙)``."""
    keys = list(CHOICES[vocab])
    return f"{', '.join(keys)} ({', '.join(CHOICES[vocab][k][0] for k in keys)})"
