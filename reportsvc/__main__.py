"""``python -m reportsvc`` runs the command line."""
from reportsvc.cli.main import run

run()
