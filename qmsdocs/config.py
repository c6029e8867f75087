"""The workspace configuration, ``qms.toml``: defaults, loading and validation.

Configuration is an object handed to whoever needs it; nothing here is global.
"""
from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from qmsdocs.errors import ConfigError, DataError
from qmsdocs.i18n import _
from qmsdocs.names import BODY_KINDS, DOC_TYPES, ROLES, role_of  # noqa: F401  (re-exported: config is where callers look)

LANGUAGES = ("zh", "en")
SCHEMES = ("decimal", "letter")
GRADES = ("excellent", "good", "satisfactory")

DEFAULT_CODES = {"plan": "KP", "minutes": "HY", "scores": "PF",
                 "manual": "SC", "procedure": "CX", "regulation": "GL", "instruction": "ZY", "form": "BD"}
#: The kinds every workspace knows: the generated ones and the built-in Word-body ones.
BUILTIN_KINDS = DOC_TYPES + tuple(BODY_KINDS)
#: Bounds of the kinds a workspace adds in qms.toml.
MAX_KINDS = 64
_KIND_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
_KIND_KEYS = ("label_zh", "label_en", "code", "required", "pattern")
DEFAULT_PATTERN = "HO-JZ-{code}-{year}-{seq:03d}"
_PATTERN_FIELD = re.compile(r"\{(\w+)(?::(0?\d*)d?)?\}")

#: Bounds of the values of ``qms.toml``: a setting outside them is refused when the file is read.
MAX_TEXT_CHARS = 200
MAX_PATH_CHARS = 1000
MAX_PATTERN_CHARS = 64
#: Widths a numbering field may pad to, as in ``{seq:03d}``.
WIDTHS = (1, 9)
#: Arrays and tables inside each other; the real file needs 2.
MAX_DEPTH = 8
#: A plain decimal number: no NaN, no infinity, an exponent of at most three digits.
_NUMBER = re.compile(r"[+-]?(?:\d{1,20}(?:\.\d{0,20})?|\.\d{1,20})(?:[eE][+-]?\d{1,3})?")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class KindSettings:
    """What qms.toml says of one kind (``[kinds.NAME]``): its cover labels, release roles, numbering."""

    label_zh: str = ""
    label_en: str = ""
    #: The roles a release of this kind requires (None: ``release.required``).
    required: tuple[str, ...] | None = None
    #: The numbering pattern of this kind (None: ``numbering.pattern``).
    pattern: str | None = None


@dataclass(frozen=True)
class Config:
    """Validated settings of one workspace."""

    company: str = "本公司"
    department: str = "技术质量部"
    language: str = "zh"
    #: Language of messages, errors and warnings; "" follows ``language``.
    messages: str = ""
    reference: str = "GB/T 19001-2016"
    pattern: str = DEFAULT_PATTERN
    codes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CODES))
    scheme: str = "decimal"
    required_roles: tuple[str, ...] = ("compile", "review", "approve")
    leader_weight: Decimal = Decimal("0.6")
    grade_bands: dict[str, Decimal] = field(
        default_factory=lambda: {"excellent": Decimal(90), "good": Decimal(80), "satisfactory": Decimal(70)}
    )
    templates: dict[str, str] = field(default_factory=dict)
    #: Per-person score files show peer raters by name (the controlled score sheet always does).
    show_raters: bool = False
    #: "electronic": every signer gives a password; "recorded": wet-ink signatures entered by someone.
    signature_mode: str = "electronic"
    #: Role pairs one person may sign on the same revision (separation of duties allows nothing else).
    may_combine: tuple[tuple[str, str], ...] = ()
    #: Months between periodic reviews of an effective document (0: no periodic review).
    review_months: int = 24
    #: The register's database: "" for the workspace's own SQLite file, else a postgresql:// URL.
    register_url: str = ""
    #: The ``[kinds.NAME]`` tables: settings of built-in kinds and the Word-body kinds the workspace adds.
    kinds: dict[str, KindSettings] = field(default_factory=dict)

    def control(self) -> dict[str, object]:
        """Return the settings that govern control, as recorded by ``qms config apply``."""
        out: dict[str, object] = {"signatures.mode": self.signature_mode,
                                  "signatures.may_combine": [list(p) for p in self.may_combine],
                                  "release.required": list(self.required_roles),
                                  "review.interval_months": self.review_months}
        # Only when some kind has roles of its own: a workspace without them records what it did before.
        by_kind = {name: list(k.required) for name, k in sorted(self.kinds.items()) if k.required is not None}
        if by_kind:
            out["release.required_by_kind"] = by_kind
        return out

    def pattern_for(self, kind: str) -> str:
        """Return the numbering pattern of ``kind`` (its own, else the workspace's)."""
        own = self.kinds.get(kind)
        return own.pattern if own is not None and own.pattern else self.pattern

    def kind_names(self) -> tuple[str, ...]:
        """Return every kind of this workspace: built-in ones first, then those qms.toml adds."""
        return BUILTIN_KINDS + tuple(k for k in self.kinds if k not in BUILTIN_KINDS)


def default_toml(company: str | None, department: str | None, language: str) -> str:
    """Return the text of a new ``qms.toml`` with every setting spelled out and explained."""
    if company is None:
        company = "本公司" if language == "zh" else "Your Company"
    if department is None:
        department = "技术质量部" if language == "zh" else "Technical Quality Department"
    return f"""\
# qmsdocs workspace configuration. Every key is shown with its default.
company = {_toml_str(company)}
department = {_toml_str(department)}
# Language of the generated documents and blank workbooks: "zh" or "en".
language = "{language}"
# Language of messages, errors and warnings, where it should differ from the language above:
# messages = "en"
# Normative reference printed in the documents (the seed standard cites GB/T 19001-2000).
reference = "GB/T 19001-2016"

[numbering]
# Placeholders: {{code}} (the type code below), {{year}}, {{seq}} (per code and year; {{seq:03d}} pads).
pattern = "{DEFAULT_PATTERN}"

[numbering.codes]
plan = "KP"      # evaluation plan 考评策划书
minutes = "HY"   # meeting minutes 会议纪要
scores = "PF"    # score sheets 考评评分表
manual = "SC"       # quality manual 质量手册 (a Word document: qms new manual --body FILE.docx)
procedure = "CX"    # procedure 程序文件
regulation = "GL"   # regulation 管理办法/制度
instruction = "ZY"  # work instruction 作业指导书
form = "BD"         # form 表单/记录格式

# Kinds of Word document of your own, put under control like the ones above, e.g.
# [kinds.drawing]
# label_zh = "图纸"
# label_en = "DRAWING"
# code = "TZ"
# A kind may also set its own release roles and numbering pattern (built-in kinds too):
# required = ["compile", "review", "approve"]
# pattern = "HO-{{code}}-{{seq:04d}}"

[versions]
# "decimal": 1.0, minor 1.1, major 2.0.  "letter": A/0, minor A/1, major B/0.
scheme = "decimal"

[release]
# Signature roles a release requires, from: compile, standardize, review, countersign, approve.
required = ["compile", "review", "approve"]

[signatures]
# "electronic": each signer confirms with their own password. "recorded": signatures made in ink on
# paper are entered by a rostered person (--by), and the register says they were recorded.
mode = "electronic"
# Role pairs one person may sign on the same revision, e.g. [["standardize", "review"]].
may_combine = []

[review]
# Months between periodic reviews of an effective document (0 turns periodic review off).
interval_months = 24

[scoring]
leader_weight = 0.6
# Per-person working copies show peer raters by name (else an average without names).
show_raters = false

[scoring.grades]
# Lowest rounded total of each grade; below "satisfactory" is "needs improvement".
excellent = 90
good = 80
satisfactory = 70

[templates]
# Point a document type at a template of your own (a path relative to this folder), e.g.
# plan = "my-templates/plan.docx"
"""


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_SCHEMA: dict[str, Any] = {
    "company": str,
    "department": str,
    "language": str,
    "messages": str,
    "reference": str,
    "numbering": {"pattern": str, "codes": dict},
    "versions": {"scheme": str},
    "release": {"required": list},
    "signatures": {"mode": str, "may_combine": list},
    "review": {"interval_months": int},
    "scoring": {"leader_weight": (int, float, str), "grades": dict, "show_raters": bool},
    "templates": dict,
    "register": {"url": str},
    "kinds": dict,
}


def load(path: Path) -> Config:
    """Return the validated configuration read from ``path``; raise ConfigError naming the line or key.

    The file is read only if it is a regular file of at most ``safeio.MAX_CONFIG_BYTES``.
    """
    from qmsdocs import safeio

    try:
        data = safeio.read_regular(path, safeio.MAX_CONFIG_BYTES, str(path))
    except DataError as exc:
        raise ConfigError(str(exc)) from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(_("{path}: not UTF-8 text").format(path=path)) from None
    except RecursionError:  # tomllib parses nested arrays and tables by recursion
        raise ConfigError(_("{path}: arrays or tables nested more than {depth} levels deep").format(
            path=path, depth=MAX_DEPTH)) from None
    if _depth(raw) > MAX_DEPTH:
        raise ConfigError(_("{path}: arrays or tables nested more than {depth} levels deep").format(
            path=path, depth=MAX_DEPTH))
    return from_dict(raw, str(path))


def declared_language(path: Path) -> str | None:
    """Return the message language ``qms.toml`` at ``path`` names (``messages``, else ``language``), if it names one.

    Read leniently, so that a refusal of the file's other settings speaks the workspace's language;
    None where the file cannot be read or parsed or names no valid language.
    """
    from qmsdocs import safeio

    try:
        raw = tomllib.loads(safeio.read_regular(path, safeio.MAX_CONFIG_BYTES, str(path)).decode("utf-8"))
    except (DataError, OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    for key in ("messages", "language"):
        if raw.get(key) in LANGUAGES:
            return str(raw[key])
    return None


def _depth(value: Any) -> int:
    """Return how deeply arrays and tables nest in ``value`` (walked without recursion)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def _shown(value: Any) -> str:
    from qmsdocs.text import one_line

    return one_line(repr(value), 80)


def _text(value: str, name: str, where: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Return ``value`` if it is one line of at most ``limit`` characters; else raise ConfigError."""
    if len(value) > limit:
        raise ConfigError(_("{where}: {name} is {length} characters long; at most {limit} are allowed").format(
            where=where, name=name, length=len(value), limit=limit))
    bad = _CONTROL.search(value)
    if bad:
        raise ConfigError(_("{where}: {name} holds the control character U+{code:04X} at position "
                            "{position}; it must be one line of plain text").format(
                                where=where, name=name, code=ord(bad.group()), position=bad.start() + 1))
    return value


#: Characters a document number cannot hold: it names files and folders on every system.
_NOT_IN_FILE_NAMES = re.compile(r"[\\/:*?\"<>|{}\s]")


def _check_pattern(pattern: str, where: str, name: str = "numbering.pattern") -> None:
    """Raise ConfigError unless ``pattern`` makes numbers that name files: known fields, ``{seq}`` among them."""
    shown = f"{where}: {name} = {pattern!r}"
    fields = [m.group(1) for m in _PATTERN_FIELD.finditer(pattern)]
    for name in fields:
        if name not in ("code", "year", "seq"):
            raise ConfigError(_("{shown}: unknown field {{{name}}}; the fields are {{code}}, {{year}} and {{seq}}").format(
                shown=shown, name=name))
    if "seq" not in fields:
        raise ConfigError(_("{shown} has no {{seq}}; every number needs its sequence, as in "
                            "HO-{{code}}-{{year}}-{{seq:03d}}").format(shown=shown))
    bad = _NOT_IN_FILE_NAMES.search(_PATTERN_FIELD.sub("", pattern))
    if bad:
        what = _("a space") if bad.group().isspace() else repr(bad.group())
        raise ConfigError(_("{shown}: {what} cannot be in a document number, which names its files "
                            "(not allowed: spaces, braces outside a field and \\ / : * ? \" < > |)").format(
                                shown=shown, what=what))


def _number(value: Any, name: str, where: str, low: int, high: int, places: int, range_text: str) -> Decimal:
    """Return ``value`` as a Decimal from ``low`` to ``high`` with at most ``places`` decimals; else raise.

    Checked as text first, so NaN, infinities and exponents like ``1e-999999999`` are refused
    before any arithmetic sees them.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)) \
            or (isinstance(value, float) and not math.isfinite(value)):
        raise ConfigError(_("{where}: {name} = {value} must be a number {range}").format(
            where=where, name=name, value=_shown(value), range=range_text))
    text = (value if isinstance(value, str) else repr(value)).strip()
    if len(text) > 40 or not _NUMBER.fullmatch(text):
        raise ConfigError(_("{where}: {name} = {value} must be a number {range}").format(
            where=where, name=name, value=_shown(value), range=range_text))
    number = Decimal(text)
    if not Decimal(low) <= number <= Decimal(high):
        raise ConfigError(_("{where}: {name} = {value} must be {range}").format(
            where=where, name=name, value=_shown(value), range=range_text))
    if number.normalize().as_tuple().exponent < -places:  # type: ignore[operator]
        raise ConfigError(_("{where}: {name} = {value} must have at most {places} decimal places").format(
            where=where, name=name, value=_shown(value), places=places))
    return number


def _check_shape(raw: dict[str, Any], schema: dict[str, Any], where: str, prefix: str = "") -> None:
    for key, value in raw.items():
        name = prefix + key
        if key not in schema:
            raise ConfigError(_("{where}: unknown key {name} (known: {known})").format(
                where=where, name=name, known=", ".join(prefix + k for k in schema)))
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise ConfigError(_("{where}: {name} must be a table [{name}]").format(where=where, name=name))
            _check_shape(value, expected, where, name + ".")
        elif expected is bool and isinstance(value, bool):
            continue
        elif not isinstance(value, expected) or isinstance(value, bool):
            raise ConfigError(_("{where}: {name} = {value} has the wrong type").format(
                where=where, name=name, value=_shown(value)))


def _pattern(value: str, name: str, where: str) -> str:
    """Return a numbering pattern if it is one; else raise ConfigError naming ``name``."""
    pattern = _text(value, name, where, MAX_PATTERN_CHARS)
    for m in _PATTERN_FIELD.finditer(pattern):
        digits = (m.group(2) or "")[1:] if (m.group(2) or "").startswith("0") else m.group(2) or ""
        if m.group(2) and not (digits and WIDTHS[0] <= int(digits) <= WIDTHS[1]):
            raise ConfigError(_("{where}: {name} = {value}: the width in {field} must be "
                                "from {low} to {high}, as in {{{example}:03d}}").format(
                                    where=where, name=name, value=_shown(pattern), field=m.group(),
                                    low=WIDTHS[0], high=WIDTHS[1], example=m.group(1)))
    _check_pattern(pattern, where, name)
    return pattern


def _code(code: Any, name: str, where: str) -> str:
    if not isinstance(code, str) or not re.fullmatch(r"[A-Za-z0-9]{1,8}", code):
        raise ConfigError(_("{where}: {name} = {code!r} must be 1 to 8 letters or digits").format(
            where=where, name=name, code=code))
    return code


def _roles(required: Any, name: str, where: str) -> tuple[str, ...]:
    if not isinstance(required, list) or any(not isinstance(r, str) or r not in ROLES for r in required) \
            or "approve" not in required:
        raise ConfigError(
            _("{where}: {name} = {required!r} must list roles from {roles} and include approve").format(
                where=where, name=name, required=required, roles=", ".join(ROLES))
        )
    return tuple(r for r in ROLES if r in required)


def _kinds(raw: dict[str, Any], where: str) -> dict[str, KindSettings]:
    """Return the ``[kinds.NAME]`` tables: settings of built-in kinds, and new Word-body kinds."""
    if len(raw) > MAX_KINDS:
        raise ConfigError(_("{where}: [kinds] names {count} kinds; at most {limit} are allowed").format(
            where=where, count=len(raw), limit=MAX_KINDS))
    out = {}
    for name, table in raw.items():
        if not _KIND_NAME.fullmatch(name) or name == "revlog":
            raise ConfigError(_("{where}: kinds.{name}: a kind's name is 1 to 32 lowercase letters, digits or _, "
                                "starting with a letter (and not revlog)").format(where=where, name=name))
        if not isinstance(table, dict):
            raise ConfigError(_("{where}: kinds.{name} must be a table [kinds.{name}]").format(where=where, name=name))
        for key in table:
            if key not in _KIND_KEYS:
                raise ConfigError(_("{where}: unknown key kinds.{name}.{key} (known: {known})").format(
                    where=where, name=name, key=key, known=", ".join(_KIND_KEYS)))
        labels = {}
        for key in ("label_zh", "label_en"):
            value = table.get(key)
            if value is None:
                if name not in BUILTIN_KINDS:
                    raise ConfigError(_("{where}: kinds.{name} needs {key} (the name its cover shows)").format(
                        where=where, name=name, key=key))
                continue
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(_("{where}: kinds.{name}.{key} must be a non-empty text").format(
                    where=where, name=name, key=key))
            labels[key] = _text(value, f"kinds.{name}.{key}", where, 40)
            invisible = next((i for i, c in enumerate(value) if unicodedata.category(c) == "Cf"), None)
            if invisible is not None:  # a label that looks like another kind's on the cover
                raise ConfigError(_("{where}: kinds.{name}.{key} holds the invisible character "
                                    "U+{code:04X} at position {position}; it must be plain text").format(
                                        where=where, name=name, key=key, code=ord(value[invisible]),
                                        position=invisible + 1))
        if name in DOC_TYPES and labels:
            raise ConfigError(_("{where}: kinds.{name}: the labels of a generated kind come from its template").format(
                where=where, name=name))
        required = _roles(table["required"], f"kinds.{name}.required", where) if "required" in table else None
        pattern = _pattern(table["pattern"], f"kinds.{name}.pattern", where) if "pattern" in table else None
        out[name] = KindSettings(labels.get("label_zh", ""), labels.get("label_en", ""), required, pattern)
    return out


def from_dict(raw: dict[str, Any], where: str = "qms.toml") -> Config:
    """Return a Config built from parsed TOML, checking every key and value."""
    _check_shape(raw, _SCHEMA, where)
    numbering = raw.get("numbering", {})
    kwargs: dict[str, Any] = {}
    for key in ("company", "department", "reference"):
        if key in raw:
            if not raw[key].strip():
                raise ConfigError(_("{where}: {key} must not be empty").format(where=where, key=key))
            kwargs[key] = _text(raw[key], key, where)
    language = raw.get("language", "zh")
    if language not in LANGUAGES:
        raise ConfigError(_("{where}: language = {language!r} must be one of: zh, en").format(
            where=where, language=language))
    kwargs["language"] = language
    messages = raw.get("messages", "")
    if messages not in LANGUAGES + ("",):
        raise ConfigError(_("{where}: messages = {messages!r} must be one of: zh, en").format(
            where=where, messages=messages))
    kwargs["messages"] = messages

    kwargs["pattern"] = _pattern(numbering.get("pattern", DEFAULT_PATTERN), "numbering.pattern", where)
    kinds = _kinds(raw.get("kinds", {}), where)
    known_kinds = BUILTIN_KINDS + tuple(k for k in kinds if k not in BUILTIN_KINDS)
    codes = dict(DEFAULT_CODES)
    for doc_type, code in numbering.get("codes", {}).items():
        if doc_type not in known_kinds:
            raise ConfigError(_("{where}: unknown key numbering.codes.{kind} (known: {known})").format(
                where=where, kind=doc_type, known=", ".join(known_kinds)))
        codes[doc_type] = _code(code, f"numbering.codes.{doc_type}", where)
    for name, table in raw.get("kinds", {}).items():
        if "code" in table:
            code = _code(table["code"], f"kinds.{name}.code", where)
            if name in numbering.get("codes", {}) and codes[name] != code:
                raise ConfigError(_("{where}: kinds.{name}.code = {code!r} differs from numbering.codes.{name} = "
                                    "{other!r}; give the code once").format(
                                        where=where, name=name, code=code, other=codes[name]))
            codes[name] = code
        elif name not in codes:
            raise ConfigError(_("{where}: kinds.{name} needs a code (1 to 8 letters or digits), e.g. code = \"TZ\"").format(
                where=where, name=name))
    # Document numbers are compared without regard to case, so GL and gl would number alike.
    # The code given in qms.toml is the one blamed, not the default it collides with.
    owner: dict[str, str] = {}
    own = {k for k, t in raw.get("kinds", {}).items() if "code" in t}
    given = own | set(numbering.get("codes", {}))
    for kind in [k for k in codes if k not in given] + [k for k in codes if k in given]:
        code = codes[kind]
        if code.upper() in owner:
            key = f"kinds.{kind}.code" if kind in own else f"numbering.codes.{kind}"
            raise ConfigError(_("{where}: {key} = {code!r} is already the code of {owner} "
                                "({other!r}); each kind needs a code of its own "
                                "(compared without regard to case)").format(
                                    where=where, key=key, code=code, owner=owner[code.upper()],
                                    other=codes[owner[code.upper()]]))
        owner[code.upper()] = kind
    kwargs["codes"] = codes
    kwargs["kinds"] = kinds

    scheme = raw.get("versions", {}).get("scheme", "decimal")
    if scheme not in SCHEMES:
        raise ConfigError(_("{where}: versions.scheme = {scheme!r} must be one of: decimal, letter").format(
            where=where, scheme=scheme))
    kwargs["scheme"] = scheme

    required = raw.get("release", {}).get("required", ["compile", "review", "approve"])
    if isinstance(required, list):  # Chinese role names as well as English ones
        required = [role_of(r) or r if isinstance(r, str) else r for r in required]
    bad = [r for r in required if r not in ROLES]
    if bad or "approve" not in required:
        raise ConfigError(
            _("{where}: {name} = {required!r} must list roles from {roles} and include approve").format(
                where=where, name="release.required", required=required, roles=", ".join(ROLES))
        )
    kwargs["required_roles"] = tuple(r for r in ROLES if r in required)

    scoring = raw.get("scoring", {})
    kwargs["leader_weight"] = _number(scoring.get("leader_weight", "0.6"), "scoring.leader_weight", where, 0, 1, 6,
                                      _("between 0 and 1"))
    bands = {"excellent": Decimal(90), "good": Decimal(80), "satisfactory": Decimal(70)}
    for grade, floor in scoring.get("grades", {}).items():
        if grade not in GRADES:
            raise ConfigError(_("{where}: unknown key scoring.grades.{grade} (known: {known})").format(
                where=where, grade=grade, known=", ".join(GRADES)))
        if isinstance(floor, str):  # a number, not text, as the file written by init shows
            raise ConfigError(_("{where}: scoring.grades.{grade} = {value} must be a number from 0 to 100").format(
                where=where, grade=grade, value=_shown(floor)))
        bands[grade] = _number(floor, f"scoring.grades.{grade}", where, 0, 100, 2, _("from 0 to 100"))
    if not bands["excellent"] > bands["good"] > bands["satisfactory"]:
        raise ConfigError(_("{where}: scoring.grades must descend: excellent > good > satisfactory").format(
            where=where))
    kwargs["grade_bands"] = bands

    templates = raw.get("templates", {})
    for doc_type, value in templates.items():
        if doc_type not in DOC_TYPES + ("revlog",):
            raise ConfigError(_("{where}: unknown key templates.{kind} (known: {known}, revlog)").format(
                where=where, kind=doc_type, known=", ".join(DOC_TYPES)))
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(_("{where}: templates.{kind} must be a path").format(where=where, kind=doc_type))
        _text(value, f"templates.{doc_type}", where, MAX_PATH_CHARS)
    kwargs["templates"] = dict(templates)

    signatures = raw.get("signatures", {})
    mode = signatures.get("mode", "electronic")
    if mode not in ("electronic", "recorded"):
        raise ConfigError(_("{where}: signatures.mode = {mode!r} must be one of: electronic, recorded").format(
            where=where, mode=mode))
    kwargs["signature_mode"] = mode
    pairs = []
    for pair in signatures.get("may_combine", []):
        pair = [role_of(r) or r if isinstance(r, str) else r for r in pair] if isinstance(pair, list) else pair
        if (not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(r, str) and r in ROLES for r in pair)
                or pair[0] == pair[1]):
            raise ConfigError(_("{where}: signatures.may_combine = {pairs!r} must list pairs of "
                                "two different roles from {roles}").format(
                                    where=where, pairs=signatures["may_combine"], roles=", ".join(ROLES)))
        if set(pair) == {"approve", "compile"}:
            raise ConfigError(_("{where}: signatures.may_combine: the one who compiles a document may never approve "
                                "it; remove the pair [compile, approve]").format(where=where))
        pairs.append(tuple(sorted(pair, key=ROLES.index)))
    kwargs["may_combine"] = tuple(dict.fromkeys(pairs))
    months = raw.get("review", {}).get("interval_months", 24)
    if not 0 <= months <= 120:
        raise ConfigError(_("{where}: review.interval_months = {months!r} must be from 0 to 120").format(
            where=where, months=months))
    kwargs["review_months"] = months
    kwargs["show_raters"] = bool(scoring.get("show_raters", False))
    url = raw.get("register", {}).get("url", "")
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(_("{where}: register.url = {url!r} must be a postgresql:// URL").format(
            where=where, url=url))
    kwargs["register_url"] = url
    return Config(**kwargs)
