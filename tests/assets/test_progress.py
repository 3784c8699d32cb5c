"""Progress lines: figures, ETA maths and the bounded reporting rate, on a fake clock."""

from __future__ import annotations

from assets.progress import Progress, duration


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_durations() -> None:
    assert [duration(s) for s in (0, 4.4, 59.6, 61, 185, 3599, 3600, 7620, -3)] == [
        "0s",
        "4s",
        "1m00s",
        "1m01s",
        "3m05s",
        "59m59s",
        "1h00m",
        "2h07m",
        "0s",
    ]


def test_line_figures_and_eta() -> None:
    clock = Clock()
    lines: list[str] = []
    progress = Progress("filings", 200, lines.append, every_s=1e9, every_fraction=0, clock=clock)
    assert progress.eta() is None  # nothing done yet: no rate
    clock.now += 40
    for _ in range(50):
        progress.step(nbytes=2_000_000, requests=2)
    # 50 of 200 in 40 s: 1.25/s, 100 MB = 2.5 MB/s, 100 requests = 2.5 req/s, 150 left -> 120 s
    assert progress.eta() == 120.0
    assert progress.line() == (
        "filings: 50/200 (25%), 100.0 MB, 1.2/s, 2.50 MB/s, 2.5 req/s, elapsed 40s, ETA 2m00s"
    )
    assert lines == []  # neither a time nor a fraction step was due
    clock.now += 80
    progress.step(150)
    assert progress.eta() == 0.0
    assert lines == ["filings: 200/200 (100%), 100.0 MB, 1.7/s, 0.83 MB/s, 0.8 req/s, elapsed 2m00s, ETA 0s"]
    assert progress.metadata() == {
        "progress_done": 200,
        "progress_total": 200,
        "progress_seconds": 120.0,
        "progress_items_per_s": 1.67,
        "progress_mb": 100.0,
        "progress_mb_per_s": 0.83,
        "progress_requests": 100,
        "progress_requests_per_s": 0.83,
    }


def test_lines_are_logged_every_5_percent_or_5_seconds_and_once_at_the_end() -> None:
    clock = Clock()
    lines: list[str] = []
    progress = Progress("docs", 1000, lines.append, clock=clock)
    for _ in range(1000):  # 1000 items in 10 ms each: 10 s, never 5 s between two 5 % steps
        clock.now += 0.01
        progress.step()
    assert len(lines) == 20  # at 5 %, 10 %, ... 100 %
    assert lines[0].startswith("docs: 50/1000 (5%), 100.0/s, elapsed 0s, ETA ")
    assert lines[-1] == "docs: 1000/1000 (100%), 100.0/s, elapsed 10s, ETA 0s"
    progress.step()  # past the total: no further line
    assert len(lines) == 20

    slow: list[str] = []
    progress = Progress("feeds", 10_000, slow.append, clock=clock)
    for _ in range(100):  # 1 % in 100 s, one item a second: a line every 5 s
        clock.now += 1
        progress.step()
    assert len(slow) == 20
    assert slow[0] == "feeds: 5/10000 (0%), 1.0/s, elapsed 5s, ETA 2h46m"
