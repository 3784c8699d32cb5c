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
        """Record where (source, line) and what (message) went wrong."""
        self.source = source
        self.line = line
        self.message = message
        where = f"{source} line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str, int | None]]:
        return (type(self), (self.source, self.message, self.line))


class SecHttpError(EdgarError):
    """A request to the SEC failed for good (not retryable, or retries exhausted).

    Attributes:
        url: the requested URL.
        status: the last HTTP status received, or ``None`` when the last attempt got no response.
        attempts: how many attempts were made (1 = no retry).
        last_reason: why the last attempt failed, e.g. ``"503 Service Unavailable"``.
    """

    def __init__(self, url: str, status: int | None, attempts: int, last_reason: str) -> None:
        """Record the URL, last status, attempt count and last failure reason."""
        self.url = url
        self.status = status
        self.attempts = attempts
        self.last_reason = last_reason
        noun = "attempt" if attempts == 1 else "attempts"
        super().__init__(f"GET {url} failed after {attempts} {noun}: {last_reason}")

    def __reduce__(self) -> tuple[type[SecHttpError], tuple[str, int | None, int, str]]:
        """Pickle with the constructor's arguments (exceptions cross process pools)."""
        return (type(self), (self.url, self.status, self.attempts, self.last_reason))


class SecNotFound(SecHttpError):
    """The SEC answered 404: the document does not exist (never retried)."""


class SecRateLimited(SecHttpError):
    """The SEC kept refusing the client for exceeding its request rate (429 or its rate-limit page)."""


class DocumentNotFound(EdgarError):
    """The source (live SEC or offline mirror) has no document at the requested path."""
