"""Ingestion scopes: named (forms x companies) selections of what live mode fetches from EDGAR.

A scope names the forms it wants and the companies it wants them for: a CIK list (inline ``ciks`` or a
``ciks_file``, one CIK a line, ``#`` comments), ``companies = "sec-tickers"`` (every CIK of the SEC's
``company_tickers.json``) or ``companies = "all"`` (every filer). Scopes live in a TOML file
(``EDGAR_SCOPES_FILE``, see ``infra/scopes.toml``)::

    [scopes.universe]
    forms = ["10-K", "10-Q", "8-K", "3", "4", "5"]
    ciks_file = "infra/universe_ciks.txt"

    [scopes.13f]
    forms = ["13F-HR", "13F-HR/A"]
    companies = "all"

Without a file, ``EDGAR_FORMS`` x ``EDGAR_CIKS`` is the one scope ``default`` (empty ``EDGAR_CIKS`` = all).
A filing is wanted when any scope covers its (form, CIK); scopes only add. Pure configuration: nothing here
reads the network (``sec-tickers`` is resolved by the assets, which can fetch the ticker list).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import msgspec

from lake.settings import PROJECT_ROOT, Settings

#: an EDGAR form type as the indexes and feeds spell it: upper case, digits, spaces, ``-``, ``/``, ``.``
_FORM = re.compile(r"^[A-Z0-9][A-Z0-9 .\-/]{0,19}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_KEYS = {"forms", "companies", "ciks", "ciks_file", "description"}
DEFAULT_SCOPE = "default"

Companies = Literal["all", "sec-tickers", "ciks"]


class ScopeError(ValueError):
    """A scopes file or scope that cannot be used; the message names the file, the scope and the line."""


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """One named ingestion scope.

    Attributes:
        name: the scope's name (the TOML table name).
        forms: form types it wants (exact EDGAR spelling, amendments listed on their own: ``10-K/A``).
        companies: ``all`` (every filer), ``sec-tickers`` (the SEC ticker list) or ``ciks`` (``ciks`` below).
        ciks: the CIK universe when ``companies == "ciks"``; resolved from the ticker list for ``sec-tickers``.
        description: free text.
    """

    name: str
    forms: frozenset[str]
    companies: Companies
    ciks: frozenset[int] = frozenset()
    description: str = ""

    @property
    def all_filers(self) -> bool:
        """The scope covers every filer (so discovery needs the daily indexes)."""
        return self.companies == "all"

    def covers(self, form: str, cik: int) -> bool:
        """Whether this scope wants ``form`` filed for ``cik``."""
        return form in self.forms and (self.all_filers or cik in self.ciks)


def _forms(scope: str, where: str, raw: Any) -> frozenset[str]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        raise ScopeError(f"{where}: scope {scope!r}: 'forms' must be a non-empty list of form types")
    forms = set()
    for value in values:
        if not isinstance(value, str) or not _FORM.match(value.strip()):
            hint = " (form types are upper case, e.g. 10-K)" if isinstance(value, str) else ""
            raise ScopeError(f"{where}: scope {scope!r}: unknown form {value!r}{hint}")
        forms.add(value.strip())
    return frozenset(forms)


def _cik(scope: str, where: str, value: Any) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 0 < int(text) < 10**10:
        raise ScopeError(f"{where}: scope {scope!r}: {value!r} is not a CIK (1 to 10 digits)")
    return int(text)


def read_cik_file(scope: str, path: Path) -> frozenset[int]:
    """The CIKs of a CIK list file: one a line (zero-padded or not), ``#`` starts a comment, blank lines skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScopeError(f"scope {scope!r}: CIK file {path} cannot be read ({exc.strerror or exc})") from exc
    ciks = set()
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip()
        if value:
            ciks.add(_cik(scope, f"{path} line {number}", value))
    return frozenset(ciks)


def _scope(name: str, body: Any, where: str, base: Path) -> Scope:
    if not _NAME.match(name):
        raise ScopeError(f"{where}: scope name {name!r} must be letters, digits, '-' or '_'")
    if not isinstance(body, dict):
        raise ScopeError(f"{where}: scope {name!r} must be a table ([scopes.{name}])")
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise ScopeError(
            f"{where}: scope {name!r}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})"
        )
    forms = _forms(name, where, body.get("forms"))
    given = [k for k in ("companies", "ciks", "ciks_file") if k in body]
    if len(given) != 1:
        raise ScopeError(
            f'{where}: scope {name!r}: give exactly one of companies = "all" | "sec-tickers", ciks = [...] '
            f'or ciks_file = "..." (got {", ".join(given) or "none"})'
        )
    description = str(body.get("description", ""))
    if "companies" in body:
        if body["companies"] not in ("all", "sec-tickers"):
            raise ScopeError(
                f'{where}: scope {name!r}: companies must be "all" or "sec-tickers", not {body["companies"]!r}'
            )
        return Scope(name=name, forms=forms, companies=body["companies"], description=description)
    if "ciks" in body:
        if not isinstance(body["ciks"], list) or not body["ciks"]:
            raise ScopeError(f"{where}: scope {name!r}: ciks must be a non-empty list")
        ciks = frozenset(_cik(name, where, c) for c in body["ciks"])
    else:
        path = Path(str(body["ciks_file"]))
        ciks = read_cik_file(name, path if path.is_absolute() else base / path)
        if not ciks:
            raise ScopeError(f"{where}: scope {name!r}: CIK file {path} lists no CIK")
    return Scope(name=name, forms=forms, companies="ciks", ciks=ciks, description=description)


def parse_scopes(text: str, where: str = "scopes.toml", base: Path = PROJECT_ROOT) -> list[Scope]:
    """The scopes of a scopes TOML text; relative ``ciks_file`` paths are read from ``base``.

    Raises:
        ScopeError: not TOML, no ``[scopes.NAME]`` table, or a scope with unknown keys, a bad form, a bad or
            missing CIK file, or a bad CIK (the message names the file, the scope and the line).
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScopeError(f"{where}: not TOML: {exc}") from exc
    tables = doc.get("scopes")
    if not isinstance(tables, dict) or not tables:
        raise ScopeError(f"{where}: no scope defined (add a [scopes.NAME] table with forms and companies)")
    return [_scope(name, body, where, base) for name, body in tables.items()]


def default_scope(forms: Sequence[str], ciks: Iterable[int]) -> Scope:
    """The scope of ``EDGAR_FORMS`` x ``EDGAR_CIKS`` (no CIK = every filer)."""
    wanted = frozenset(ciks)
    return Scope(
        name=DEFAULT_SCOPE,
        forms=frozenset(forms),
        companies="ciks" if wanted else "all",
        ciks=wanted,
        description="EDGAR_FORMS x EDGAR_CIKS",
    )


def load_scopes(settings: Settings) -> list[Scope]:
    """The run's scopes: ``EDGAR_SCOPES_FILE`` when set, else the one scope of ``EDGAR_FORMS`` x ``EDGAR_CIKS``."""
    if not settings.edgar_scopes_file:
        return [default_scope(settings.edgar_forms, settings.edgar_ciks)]
    path = Path(settings.edgar_scopes_file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScopeError(f"EDGAR_SCOPES_FILE {path} cannot be read ({exc.strerror or exc})") from exc
    return parse_scopes(text, str(path), PROJECT_ROOT)


def from_file(settings: Settings) -> bool:
    """Whether the scopes come from a scopes file (not from ``EDGAR_FORMS``/``EDGAR_CIKS``)."""
    return bool(settings.edgar_scopes_file)


def use_feeds(settings: Settings, scopes: Sequence[Scope]) -> bool:
    """Whether this run discovers filings from the submissions feeds (not the daily indexes).

    ``EDGAR_DISCOVERY=feeds``/``index`` decide; ``auto`` takes the feeds when the scopes come from a scopes
    file and every scope names its companies (none is ``all``). The ``EDGAR_FORMS``/``EDGAR_CIKS`` scope keeps
    the daily indexes, as before scopes existed.
    """
    if any(s.all_filers for s in scopes):
        if settings.edgar_discovery == "feeds":
            names = ", ".join(s.name for s in scopes if s.all_filers)
            raise ScopeError(
                f"EDGAR_DISCOVERY=feeds, but scope(s) {names} cover all filers: only the daily indexes list them"
            )
        return False
    return settings.edgar_discovery == "feeds" or (settings.edgar_discovery == "auto" and from_file(settings))
