"""Named crash points for the crash-safety tests.

``QMS_CRASH_AT=<point>`` makes the process kill itself with SIGKILL when it reaches that point,
so a test can stop a command at exactly the moment it wants. Unset, this costs one dict lookup.
"""
from __future__ import annotations

import os
import signal

POINTS = ("staged", "prepared", "committed", "place", "write-atomic", "migrated")


def crashpoint(name: str) -> None:
    """Die here, as a power cut would, if ``QMS_CRASH_AT`` names this point."""
    if os.environ.get("QMS_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
