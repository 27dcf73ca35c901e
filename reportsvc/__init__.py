"""reportsvc: periodic CCHC reports (quý, 6 tháng, 9 tháng, năm) as DOCX and PDF."""
import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("reportsvc")
"""Marker for hook implementations in plugins: ``@hookimpl def reportsvc_areas(): …``."""
