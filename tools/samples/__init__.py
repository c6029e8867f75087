"""The builders of the sample workbooks in ``records/`` (run ``make samples`` after changing them).

One module per sample holds its rows (``plan``, ``minutes``, ``scores``); ``fill`` writes them
into the blank workbook of their type; ``build`` names them.
"""
