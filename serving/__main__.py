"""``python -m serving``: serve the lake with granian on API_HOST:API_PORT with API_WORKERS workers."""

from __future__ import annotations

import sys

from lake.settings import Settings


def main() -> None:
    """Print the URL and run granian (blocks until stopped)."""
    from granian import Granian
    from granian.constants import Interfaces

    settings = Settings.from_env()
    print(
        f"AIHF API on {settings.public_url}  (docs: {settings.public_url}/schema)",
        file=sys.stderr,
        flush=True,
    )
    Granian(
        "serving.asgi:create",
        address=settings.api_host,
        port=settings.api_port,
        workers=settings.api_workers,
        interface=Interfaces.ASGI,
        factory=True,
        log_enabled=False,
    ).serve()


if __name__ == "__main__":
    main()
