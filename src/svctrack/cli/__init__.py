"""The command line (Typer only): the app, its error boundary, options and commands."""
