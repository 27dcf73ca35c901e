"""reportsvc: periodic CCHC reports (quý, 6 tháng, 9 tháng, năm) as DOCX and PDF."""

__version__ = "0.1.0"
