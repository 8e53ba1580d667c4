"""The secretariat's console and the participants' own pages, on the link app: one module
per feature, mounted together by `routes.add_console_routes` (importing this package loads
none of them, so that a door needing one of them pays for that one alone)."""
