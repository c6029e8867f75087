"""qmsdocs: controlled quality records for a GB/T 19001 (ISO 9001) quality system."""

__version__ = "0.1.0"
