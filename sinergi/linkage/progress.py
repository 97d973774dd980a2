"""Progress reporting hooks, so the library stays quiet and the command line shows bars."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives the stages of a run.

    ``total`` is None when the size is not known in advance; ``unit`` is None
    for a stage that counts nothing (training), which then shows only its time.
    """

    def start(self, stage: str, total: int | None, *, unit: str | None = "baris") -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...


class _NoProgress:
    def start(self, stage: str, total: int | None, *, unit: str | None = "baris") -> None:
        pass

    def advance(self, amount: int) -> None:
        pass

    def finish(self) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()
