"""Retrieve: BM25 and dense search fused, then re-ranked by each chunk's best sentence."""
