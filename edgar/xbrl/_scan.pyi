"""Type stub of the optional C accelerator ``edgar/xbrl/_scan.c`` (see its header for the shapes)."""

from typing import Any

def scan(body: bytes, xbrli_ns: str, xbrldi_ns: str, link_ns: str, xsi_ns: str) -> tuple[Any, ...] | None: ...
def scan_links(
    body: bytes, link_ns: str, xlink_ns: str, link_local: str, arc_local: str, labels: bool
) -> list[Any] | None: ...
