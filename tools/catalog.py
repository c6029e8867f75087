"""The message catalogs of qmsdocs: extract the messages from the source, compile the .po to .mo.

    python -m tools.catalog extract   # add new messages to every .po (empty), drop the ones gone
    python -m tools.catalog compile   # write each .mo from its .po (run after translating)
    python -m tools.catalog check     # exit 1 if a message lacks a translation or a .mo is stale

A message is the string literal in a call ``_("...")`` or ``N_("...")`` anywhere under qmsdocs/.
The .po files are the sources, in UTF-8, one line per string; the .mo files are committed so that
editable and wheel installs carry the same catalogs.
"""
from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qmsdocs"
LOCALE = PACKAGE / "locale"
DOMAIN = "qmsdocs"
HEADER = {"zh_CN": 'Content-Type: text/plain; charset=UTF-8\nLanguage: zh_CN\n'}
MARKERS = ("_", "N_")


def extract(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Return every message of the source, in order of first appearance, with the files using it."""
    found: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.relative_to(package.parent).as_posix()
        calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
        for node in calls:
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                files = found.setdefault(node.args[0].value, [])
                if where not in files:
                    files.append(where)
    return found


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def read_po(path: Path) -> tuple[dict[str, str], set[str]]:
    """Return the translations of a .po file (the header under "") and the msgids flagged fuzzy."""
    entries: dict[str, str] = {}
    fuzzy: set[str] = set()
    msgid: str | None = None
    msgstr: str | None = None
    field = ""
    flagged = False

    def close() -> None:
        nonlocal msgid, msgstr, flagged
        if msgid is not None:
            entries[msgid] = msgstr or ""
            if flagged:
                fuzzy.add(msgid)
        msgid, msgstr, flagged = None, None, False

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("#,") and "fuzzy" in line:
            close()
            flagged = True
        elif line.startswith("#") or not line:
            if msgstr is not None:
                close()
        elif line.startswith("msgid "):
            if msgstr is not None:
                close()
            msgid, field = ast.literal_eval(line[6:]), "msgid"
        elif line.startswith("msgstr "):
            msgstr, field = ast.literal_eval(line[7:]), "msgstr"
        elif line.startswith('"'):
            if field == "msgid" and msgid is not None:
                msgid += ast.literal_eval(line)
            elif msgstr is not None:
                msgstr += ast.literal_eval(line)
    close()
    return entries, fuzzy


def write_po(path: Path, locale: str, messages: dict[str, list[str]], translations: dict[str, str]) -> None:
    """Write the .po of ``locale``: the header, then each message of the source with its translation."""
    lines = [f"# Messages of qmsdocs in {locale}. Written by tools/catalog.py extract; translate the msgstr lines.",
             'msgid ""', 'msgstr ""']
    lines += [_quote(part + "\n") for part in HEADER[locale].splitlines()]
    for message, files in messages.items():
        lines += ["", f"#: {' '.join(files)}", f"msgid {_quote(message)}", f"msgstr {_quote(translations.get(message, ''))}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def compile_mo(translations: dict[str, str]) -> bytes:
    """Return the GNU .mo bytes of ``translations`` (empty translations left out, as msgfmt does)."""
    kept = {k: v for k, v in translations.items() if v or k == ""}
    keys = sorted(kept)
    ids = b"".join(k.encode("utf-8") + b"\0" for k in keys)
    strs = b"".join(kept[k].encode("utf-8") + b"\0" for k in keys)
    offsets: list[tuple[int, int, int, int]] = []
    id_at = str_at = 0
    for k in keys:
        i, s = len(k.encode("utf-8")), len(kept[k].encode("utf-8"))
        offsets.append((id_at, i, str_at, s))
        id_at, str_at = id_at + i + 1, str_at + s + 1
    start = 7 * 4 + 16 * len(keys)  # the header, then two tables of (length, offset)
    table = [n for id_offset, id_length, _, _ in offsets for n in (id_length, start + id_offset)]
    table += [n for _, _, str_offset, str_length in offsets for n in (str_length, start + len(ids) + str_offset)]
    header = [0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0]
    return struct.pack(f"<{len(header) + len(table)}I", *header, *table) + ids + strs


def catalogs() -> list[tuple[str, Path, Path]]:
    """Return (locale, .po path, .mo path) of every catalog."""
    return [(locale, LOCALE / locale / "LC_MESSAGES" / f"{DOMAIN}.po", LOCALE / locale / "LC_MESSAGES" / f"{DOMAIN}.mo")
            for locale in HEADER]


def problems() -> list[str]:
    """Return what is wrong with the catalogs: a message without translation, a fuzzy one, a stale .mo."""
    out: list[str] = []
    messages = extract()
    for locale, po, mo in catalogs():
        if not po.exists():
            return [f"{po}: missing; run python -m tools.catalog extract"]
        translations, fuzzy = read_po(po)
        translations[""] = translations.get("") or HEADER[locale]
        out += [f"{po.name} ({locale}): no translation of {m!r}" for m in messages if not translations.get(m)]
        out += [f"{po.name} ({locale}): fuzzy translation of {m!r}" for m in sorted(fuzzy)]
        out += [f"{po.name} ({locale}): {m!r} is no longer in the source" for m in translations
                if m and m not in messages]
        if not mo.exists() or mo.read_bytes() != compile_mo(translations):
            out.append(f"{mo}: not compiled from {po.name}; run python -m tools.catalog compile")
    return out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        messages = extract()
        for locale, po, _ in catalogs():
            translations = read_po(po)[0] if po.exists() else {}
            write_po(po, locale, messages, translations)
            missing = sum(1 for m in messages if not translations.get(m))
            print(f"{po.relative_to(ROOT)}: {len(messages)} messages, {missing} to translate")
        return 0
    if command == "compile":
        for locale, po, mo in catalogs():
            translations, _ = read_po(po)
            translations[""] = translations.get("") or HEADER[locale]
            mo.write_bytes(compile_mo(translations))
            print(f"wrote {mo.relative_to(ROOT)}")
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
