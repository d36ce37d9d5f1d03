"""The `hearth` subcommands: thin adapters from arguments to the core."""
