"""Importers turn the published text of old live blogs into entries: one module per format."""
