from blangko.cli.main import main

main()
