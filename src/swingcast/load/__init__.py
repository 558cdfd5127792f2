"""Stage 1: read results, census tables and contours into tidy tables with canonical codes.

Public names are re-exported lazily by the top-level ``swingcast`` package; the
modules here are imported by their full path (``swingcast.load.<module>``).
"""
