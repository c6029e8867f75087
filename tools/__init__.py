"""The scripts that build and check qmsdocs' shipped files, run from the repository root.

    python -m tools.templates        # templates/*.docx (make templates)
    python -m tools.samples          # records/*.xlsx (make samples)
    python -m tools.build_seed_docx  # records/regulation.docx, from the seed standard's text
    python -m tools.catalog check    # the message catalogs (also extract, compile)
    python -m tools.cli_reference --write   # the README's command reference
    python -m tools.screenshots      # docs/images/*.png (LibreOffice and poppler-utils)
"""
