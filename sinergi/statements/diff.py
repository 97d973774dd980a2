"""What a correction changed, line by line, for the public page (the press compares versions)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class ChangedLine:
    kind: str  # "removed" or "added"
    text: str


def changed_lines(old: str, new: str) -> list[ChangedLine]:
    lines: list[ChangedLine] = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("- ") and line[2:].strip():
            lines.append(ChangedLine("removed", line[2:]))
        elif line.startswith("+ ") and line[2:].strip():
            lines.append(ChangedLine("added", line[2:]))
    return lines
