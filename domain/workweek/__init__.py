"""Each country's working week and public holidays: when a person can be mailed or met."""
