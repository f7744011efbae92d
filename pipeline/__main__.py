"""`python -m pipeline` runs the qa command."""

from .cli import cli

cli()
