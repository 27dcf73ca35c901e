"""``python -m reportsvc`` runs the command line."""
from reportsvc.cli import run

run()
