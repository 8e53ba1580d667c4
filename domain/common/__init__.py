"""What every feature shares: base models, field validators, contracts, signed links."""
