"""Side effects of the engine: SMTP, the database, the participant directory.

Workflow code never imports this package (sqlmodel in a workflow module makes each
workflow several times slower and larger); workflows call activities by name.
"""
