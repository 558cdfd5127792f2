"""Stage 4: value per volunteer-hour, plans, turfs, contacts, maps and the report.

Public names are re-exported lazily by the top-level ``swingcast`` package; the
modules here are imported by their full path (``swingcast.target.<module>``).
"""
