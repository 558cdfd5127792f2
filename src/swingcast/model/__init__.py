"""Stage 3: features, turnout and share models, baselines, intervals, simulation, back-tests.

Public names are re-exported lazily by the top-level ``swingcast`` package; the
modules here are imported by their full path (``swingcast.model.<module>``).
"""
