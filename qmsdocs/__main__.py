from qmsdocs.cli import main

main()
