"""The use cases: what svctrack does to a workspace, as a Python API with no terminal in it."""
