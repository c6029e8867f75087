"""The low-level pieces of reading an input .xlsx workbook; :mod:`qmsdocs.workbook` builds the reader on them.

- :mod:`~qmsdocs.xlsx.container`: the zip package checked before any XML parser sees it.
- :mod:`~qmsdocs.xlsx.sheet_xml`: what openpyxl cannot tell, taken from the raw sheet XML.
- :mod:`~qmsdocs.xlsx.cells`: one cell's value read as its column's kind.
- :mod:`~qmsdocs.xlsx.loading`: openpyxl imported and rows built at the speed the reader needs.

None of them knows the workbooks of qmsdocs (sheets, headers, document types).
"""
