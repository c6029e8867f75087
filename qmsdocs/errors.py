"""The one exception tree of qmsdocs.

Every error a user can cause derives from :class:`QmsError`. The command line maps the two
branches to exit codes in one place: :class:`RuleError` (a rule refused the action) is 1,
:class:`DataError` / :class:`UsageError` (bad input or usage) is 2.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qmsdocs.i18n import _


class QmsError(Exception):
    """Base of every expected qmsdocs error; ``str()`` is the line shown to the user."""

    exit_code = 2

    def lines(self) -> list[str]:
        """Return the message lines to print, one problem per line."""
        return [str(self)]


class RuleError(QmsError):
    """An action refused by a document-control rule (exit code 1)."""

    exit_code = 1


class UsageError(QmsError):
    """A bad option value, unknown document, or a folder that is not a workspace (exit 2)."""


class ConfigError(UsageError):
    """``qms.toml`` is malformed or holds an unknown key or a bad value."""


class WorkspaceBusy(QmsError):
    """Another qms process held the workspace for longer than the wait allows (exit 1: try again)."""

    exit_code = 1


class RegisterError(QmsError):
    """The register cannot be read or written (corrupted, locked by another program, disk full): exit 1."""

    exit_code = 1


class IntegrityError(RuleError):
    """Stored evidence (an object, a trail entry, a register row) no longer matches what was recorded."""


class TemplateError(QmsError):
    """A template could not be rendered (syntax, unknown placeholder, sandbox refusal)."""


class ReadbackError(RuleError):
    """The rendered document does not contain every input value; nothing was registered."""


@dataclass(frozen=True)
class Problem:
    """One data problem, located as Excel shows it: file, sheet, row, column."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.sheet is not None:
            where.append(_("sheet {sheet}").format(sheet=self.sheet))
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.column is not None:
            where.append(_("column {column}").format(column=self.column))
        return _("{where}: {message}").format(where=_(", ").join(where), message=self.message) if where \
            else self.message


class DataError(QmsError):
    """Bad input data: carries every problem found, each with its location."""

    #: How many problems are printed; the rest are counted in one closing line.
    CAP = 50

    def __init__(self, problems: Sequence[Problem | str] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems: list[Problem] = [p if isinstance(p, Problem) else Problem("", p) for p in problems]
        super().__init__(self.lines()[0])

    def lines(self) -> list[str]:
        shown = [str(p) for p in self.problems[: self.CAP]]
        hidden = len(self.problems) - self.CAP
        if hidden > 0:
            shown.append(_("... and {count} more problems").format(count=hidden))
        return shown
