"""The domain: items, pipelines, field rules, queries and analysis. No I/O, no terminal."""
