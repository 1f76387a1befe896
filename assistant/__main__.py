"""`python -m assistant` runs the CLI."""

from assistant.app.cli import main

main()
