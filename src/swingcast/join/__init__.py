"""Stage 2: map zones onto bureaux de vote (crosswalks), conserving totals.

Public names are re-exported lazily by the top-level ``swingcast`` package; the
modules here are imported by their full path (``swingcast.join.<module>``).
"""
