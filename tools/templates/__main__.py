"""``python -m tools.templates [NAME ...]``: build the shipped templates (all, or those named)."""
from __future__ import annotations

import sys

from tools.templates.build import main

if __name__ == "__main__":
    main(sys.argv[1:])
