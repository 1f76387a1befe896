"""App: the facade that wires the stages, the CLI and the page."""
