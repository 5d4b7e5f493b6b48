import sys

try:
    from svctrack.cli.app import main
except KeyboardInterrupt:  # Ctrl-C while starting: one line, as the boundary says it later
    sys.stderr.write("error: interrupted\n")
    sys.exit(130)

main()
