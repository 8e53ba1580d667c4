"""The one error every command raises for bad input: exit 2, nothing changed."""

from __future__ import annotations


class InputError(Exception):
    """Bad input from the secretariat: a list of problems, each naming its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
