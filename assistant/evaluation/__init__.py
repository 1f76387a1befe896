"""Evaluation: golden-set metrics and the naive baseline they are compared with."""
