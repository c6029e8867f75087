"""``python -m tools.samples [NAME ...]``: build the sample workbooks (all, or those named)."""
from __future__ import annotations

import sys

from tools.samples.build import main

if __name__ == "__main__":
    main(sys.argv[1:])
