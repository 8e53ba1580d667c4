"""The six-monthly cycle: the next RTM of a region before its dates are set."""
