"""Interview prep assistant: cited answers from a local index of documents."""

__version__ = "0.1.0"
