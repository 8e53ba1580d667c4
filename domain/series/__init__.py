"""Meeting series: each kind of meeting with its own cadence and numbering."""
