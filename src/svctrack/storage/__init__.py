"""Files: the workspace, TOML reads and line-merged writes, atomic writes, the lock, the cache."""
