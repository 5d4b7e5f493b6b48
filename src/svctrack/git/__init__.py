"""Git: plumbing, commits, sync, the staged index and file history."""
