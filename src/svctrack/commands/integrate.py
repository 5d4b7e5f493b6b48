"""Integration commands: edit, sync, history, config, import csv, export csv."""
