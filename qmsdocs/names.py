"""The names every layer shares: document types and signature roles, in their fixed order.

A module of its own, importing nothing, so that ``qms --help`` can offer them as choices
without loading the configuration machinery (TOML, decimals, dataclasses).
"""
from __future__ import annotations

DOC_TYPES = ("plan", "minutes", "scores")
#: Signature roles in signing order (编制, 标准化, 审核, 会签, 批准).
ROLES = ("compile", "standardize", "review", "countersign", "approve")
