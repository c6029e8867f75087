"""Run qmsdocs from a checkout: ``python cli.py …`` does what ``qms …`` does."""
from qmsdocs.cli import main

if __name__ == "__main__":
    main()
