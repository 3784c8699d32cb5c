"""A child process for the cross-process rate-limit tests: fetch from a loopback SEC until told to stop.

``python -m tests.support.sec_fetcher URL SECONDS LIMITER WHERE [AGENT]`` fetches ``URL`` over and over with
``SecHttpClient.get_many`` (4 in flight) for ``SECONDS`` seconds through the shared limiter ``LIMITER``
(``file``: ``WHERE`` is the state file; ``redis``: ``WHERE`` is ``redis-url#key``), then prints how many
requests it made. ``LIMITER`` ``spin-file`` just calls ``try_acquire`` on the state file in a tight loop (a
process that is inside the file lock most of the time, to be killed there).
"""

from __future__ import annotations

import itertools
import sys
import time

from edgar.http import SecHttpClient
from edgar.ratelimit import FileRateLimiter, Limiter, RedisRateLimiter


def main(argv: list[str]) -> None:
    """Entry point (see the module docstring)."""
    url, seconds, kind, where = argv[:4]
    agent = argv[4] if len(argv) > 4 else "AIHF Tests aihf-tests@example.com"
    limiter: Limiter
    if kind == "spin-file":
        spinner = FileRateLimiter(where, 10)
        print("ready", flush=True)
        while True:
            spinner.try_acquire()
    if kind == "file":
        limiter = FileRateLimiter(where, 10)
    else:
        import redis

        redis_url, key = where.split("#", 1)
        limiter = RedisRateLimiter(redis.Redis.from_url(redis_url), 10, key=key)
    client = SecHttpClient(user_agent=agent, limiter=limiter, max_in_flight=4)
    deadline = time.monotonic() + float(seconds)
    print("ready", flush=True)
    urls = itertools.takewhile(lambda _: time.monotonic() < deadline, itertools.repeat(url))
    count = sum(1 for _, body in client.get_many(urls) if isinstance(body, bytes))
    print(count, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
