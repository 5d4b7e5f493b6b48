"""Analysis commands: report, timeline, export report, export ics."""
