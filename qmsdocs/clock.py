"""Today's date and the current time, with one override for reproducible runs."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager

from qmsdocs.errors import UsageError


def parse_date(text: str, what: str) -> dt.date:
    """Return the date written as YYYY-MM-DD; raise UsageError naming ``what`` otherwise."""
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a date written as YYYY-MM-DD") from None


def today() -> dt.date:
    """Return today's date, or ``QMS_TODAY`` (YYYY-MM-DD) when set, so a run can be repeated byte for byte."""
    override = os.environ.get("QMS_TODAY")
    return parse_date(override, "QMS_TODAY") if override else dt.date.today()


def now_iso() -> str:
    """Return the current UTC time for the audit trail (never printed into documents)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


@contextmanager
def today_is(day: str) -> Iterator[None]:
    """Work as if today were ``day`` for the block (``QMS_TODAY``, put back as it was afterwards)."""
    before = os.environ.get("QMS_TODAY")
    os.environ["QMS_TODAY"] = day
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("QMS_TODAY", None)
        else:
            os.environ["QMS_TODAY"] = before
