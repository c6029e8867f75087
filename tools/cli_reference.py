"""Generate the command reference of the README from the CLI's own help texts.

``python -m tools.cli_reference --write`` updates README.md between the reference markers;
``tests/test_docs.py`` fails when the README and the CLI disagree.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from qmsdocs.cli import CONTEXT_SETTINGS, cli

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"


def _commands(group: click.Group, prefix: list[str]) -> list[tuple[list[str], click.Command]]:
    out = []
    for name in sorted(group.commands):
        command = group.commands[name]
        out.append((prefix + [name], command))
        if isinstance(command, click.Group):
            out.extend(_commands(command, prefix + [name]))
    return out


def reference() -> str:
    """Return the markdown reference: the help text of every command and subcommand."""
    parts = []
    settings = dict(CONTEXT_SETTINGS, terminal_width=100)
    with click.Context(cli, info_name="qms", **settings) as root:
        parts.append("```text\n" + cli.get_help(root).rstrip() + "\n```")
        for path, command in _commands(cli, []):
            ctx = click.Context(command, info_name=" ".join(["qms"] + path), **settings)
            parts.append(f"### qms {' '.join(path)}\n\n```text\n{command.get_help(ctx).rstrip()}\n```")
    return "\n\n".join(parts) + "\n"


def current_block(text: str) -> str:
    """Return what the README holds between the markers."""
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    if "--write" in sys.argv:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        README.write_text(f"{head}{START}\n{reference()}{END}{tail}", encoding="utf-8")
    else:
        print(reference())
