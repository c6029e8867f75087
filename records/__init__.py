"""The shipped sample workbooks (package data; see qmsdocs.resources)."""
