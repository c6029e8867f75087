"""The shipped templates (package data; see qmsdocs.resources)."""
