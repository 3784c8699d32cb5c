"""Errors raised by the ``edgar`` package."""

from __future__ import annotations


class EdgarError(Exception):
    """Base class of every error raised by the ``edgar`` package."""


class ParseError(EdgarError):
    """An SEC file could not be parsed.

    Attributes:
        source: name of the file or URL that was being parsed.
        line: 1-based line number of the problem, or None when it is not tied to one line.
        message: what is wrong, in words.
    """

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source} line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str, int | None]]:
        return (type(self), (self.source, self.message, self.line))
