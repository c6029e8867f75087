"""Named crash points for the crash-safety tests.

``QMS_CRASH_AT=<point>`` makes the process kill itself when it reaches that point, so a test can
stop a command at exactly the moment it wants: with SIGKILL, as a power cut would, or with the
signal ``QMS_CRASH_SIGNAL`` names (``TERM``, ``HUP``), as a user or a service manager would.
Unset, this costs one dict lookup.
"""
from __future__ import annotations

import os
import signal

#: staged/prepared/committed: a writing command's transaction; output: an output file written but
#: not yet in place; split: the first ``--split`` file moved into its folder; converting:
#: LibreOffice started by ``export --pdf``; migrated: a migration's target committed, qms.toml not
#: yet pointed at it.
POINTS = ("staged", "prepared", "committed", "output", "split", "converting", "migrated")


def crashpoint(name: str) -> None:
    """Die here, or receive the signal ``QMS_CRASH_SIGNAL`` names, if ``QMS_CRASH_AT`` names this point."""
    if os.environ.get("QMS_CRASH_AT") == name:
        signum = getattr(signal, "SIG" + os.environ.get("QMS_CRASH_SIGNAL", "KILL").upper(), signal.SIGKILL)
        os.kill(os.getpid(), signum)
