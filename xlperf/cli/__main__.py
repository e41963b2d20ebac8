"""``python -m xlperf.cli`` runs the command line."""

from xlperf.cli import main

main()
