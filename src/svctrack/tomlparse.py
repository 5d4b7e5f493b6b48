"""The TOML parser every read uses: tomli (the standard library's parser, compiled with mypyc,
three times faster) when installed, else the standard library's own."""

try:
    import tomli as tomllib
except ImportError:  # pragma: no cover
    import tomllib  # type: ignore[no-redef]

__all__ = ["tomllib"]
