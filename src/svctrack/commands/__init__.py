"""The commands, grouped as in `svctrack --help`."""
