"""The names every layer shares: document types and signature roles, and how names compare.

A module of its own, importing nothing heavy, so that ``qms --help`` can offer them as choices
without loading the configuration machinery (TOML, decimals, dataclasses).
"""
from __future__ import annotations

import unicodedata

#: The generated kinds: each fills a template from an input workbook.
DOC_TYPES = ("plan", "minutes", "scores")
#: The built-in Word-body kinds: an existing Word document inside the control frame, with the
#: name the cover gives it (Chinese, English). A workspace adds its own in qms.toml ([kinds.NAME]).
BODY_KINDS = {
    "manual": ("质量手册", "QUALITY MANUAL"),
    "procedure": ("程序文件", "PROCEDURE"),
    "regulation": ("管理办法", "MANAGEMENT REGULATION"),
    "instruction": ("作业指导书", "WORK INSTRUCTION"),
    "form": ("表单", "FORM"),
}
#: Signature roles in signing order (编制, 标准化, 审核, 会签, 批准).
ROLES = ("compile", "standardize", "review", "countersign", "approve")
#: Chinese labels accepted wherever a role is given.
ROLE_LABELS_ZH = {"编制": "compile", "标准化": "standardize", "审核": "review", "会签": "countersign", "批准": "approve",
                  "文件管理员": "admin", "管理员": "admin"}
#: Roster roles: the five signature roles and the document administrator (文件管理员).
PERSON_ROLES = ROLES + ("admin",)
#: Chinese names accepted wherever a document type is given.
DOC_TYPE_LABELS_ZH = {"考评策划书": "plan", "考评策划": "plan", "策划书": "plan", "会议纪要": "minutes", "纪要": "minutes",
                      "考评评分表": "scores", "评分表": "scores"}


def name_key(text: str) -> str:
    """Return the form in which names, accounts and change-order numbers are compared.

    Unicode NFKC (full-width forms become ASCII), case folding, and no white space or invisible
    format characters (category Cf, e.g. U+200B): "王 建国", "王建国\u200b" and "ＷＡＮＧ" compare
    as "王建国" and "wang".
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf")


def doc_type_of(text: str) -> str | None:
    """Return the document type a user typed (English or Chinese name), or None."""
    value = text.strip()
    if value.lower() in DOC_TYPES:
        return value.lower()
    return DOC_TYPE_LABELS_ZH.get(value)


def kind_of(text: str) -> str:
    """Return the kind a user typed: a Chinese or English label becomes its name; anything else as typed."""
    value = text.strip()
    found = doc_type_of(value)
    if found:
        return found
    for name, (zh, en) in BODY_KINDS.items():
        if value in (zh, en) or value.lower() in (name, en.lower()):
            return name
    return value


def role_of(text: str) -> str | None:
    """Return the English role a user typed (English or Chinese label), or None."""
    value = text.strip()
    if value.lower() in PERSON_ROLES:
        return value.lower()
    return ROLE_LABELS_ZH.get(value)
