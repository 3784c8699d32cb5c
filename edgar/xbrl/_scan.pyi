"""Type stub of the optional C accelerator ``edgar/xbrl/_scan.c`` (see its header for the shapes)."""

from typing import Any

def scan(body: bytes, xbrli_ns: str, xbrldi_ns: str, link_ns: str, xsi_ns: str) -> tuple[Any, ...] | None: ...
