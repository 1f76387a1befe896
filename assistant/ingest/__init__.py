"""Ingest: read documents, their metadata and markdown blocks; the seed and user folders."""
