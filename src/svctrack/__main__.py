from svctrack.cli.app import main

main()
