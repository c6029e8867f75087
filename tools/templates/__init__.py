"""The builders of the shipped templates in ``templates/`` (run ``make templates`` after changing them).

``frame`` holds what every template shares (styles, header, footer, cover, table helpers); one
module per template type holds its body (``plan``, ``minutes``, ``scores``, ``revlog``); ``fit``
finds words too wide for their cells; ``build`` writes the packages.
"""
