"""The secretariat's interfaces: the `rtm` CLI and the embedded development stack."""
