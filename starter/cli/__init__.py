"""The `rtm` command line."""
