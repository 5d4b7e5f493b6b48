from svctrack.cli import main

main()
