from trakt_plan.cli import main

main()
