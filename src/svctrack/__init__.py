"""svctrack: track service realization and client engagements in plain TOML files."""

__version__ = "0.1.0"
