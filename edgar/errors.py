"""Errors raised by the edgar package."""

from __future__ import annotations


class EdgarError(Exception):
    """Base class of every error raised by the edgar package."""


class ParseError(EdgarError):
    """A document could not be parsed (malformed, truncated or of an unexpected shape).

    Attributes:
        source: Name of the document (file name or URL) that failed.
        message: What went wrong.
        line: 1-based line of the problem in the document, when known.
    """

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.message = message
        self.line = line
        super().__init__(source, message, line)

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.source}: {self.message}"
        return f"{self.source} line {self.line}: {self.message}"
