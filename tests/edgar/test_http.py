"""The live SEC client against a loopback SEC that serves the offline mirror (real sockets, injected faults)."""

from __future__ import annotations

import gzip
import logging
import threading
import time
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from edgar import urls
from edgar.errors import EdgarError, SecHttpError, SecNotFound, SecRateLimited
from edgar.http import (
    IncompleteBodyError,
    RateLimiter,
    SecHttpClient,
    check_complete,
    decode_body,
    get_shared_limiter,
    is_rate_limit_page,
    parse_retry_after,
)
from edgar.mirror import resolve
from lake.settings import Settings
from tests.support.sec_server import SecServer

UA = "AIHF Tests aihf-tests@example.com"
MIRROR = Settings.from_env().edgar_mirror

TICKERS = urls.company_tickers_path()
COMPANYFACTS = urls.companyfacts_path(320193)  # 3.7 MB JSON
DAILY_INDEX = "/Archives/edgar/daily-index/2022/QTR4/company.20221003.idx"
SGML_TXT = urls.full_submission_path(1173313, "0001213900-25-032135")  # 8-K full submission, 233 KB
SGML_NC = urls.full_submission_path(880984, "0001493152-25-001317").removesuffix(".txt") + ".nc"
MISSING = urls.full_submission_path(1, "0000000001-00-000001")


def mirror_bytes(path: str) -> bytes:
    return resolve(MIRROR, path).read_bytes()


class SleepRecorder:
    """Records every backoff wait, then really waits (the test still runs in real time over real sockets)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def make_client(sleeps: SleepRecorder, **overrides: Any) -> SecHttpClient:
    """A client with its own limiter and short backoffs, so tests are fast and independent."""
    options: dict[str, Any] = {
        "user_agent": UA,
        "limiter": RateLimiter(10),
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "timeout_s": 5,
        "sleep": sleeps,
    }
    return SecHttpClient(**{**options, **overrides})


# --------------------------------------------------------------------------------------------------- happy path


@pytest.mark.parametrize("path", [TICKERS, COMPANYFACTS, DAILY_INDEX, SGML_TXT, SGML_NC])
def test_returns_exactly_the_mirror_bytes(sec_server: SecServer, sleeps: SleepRecorder, path: str) -> None:
    body = make_client(sleeps).get(sec_server.url(path))

    assert body == mirror_bytes(path)
    [request] = sec_server.requests
    assert request.path == path
    assert request.headers["Accept-Encoding"] == "gzip, deflate"
    assert sleeps.waits == []


def test_user_agent_arrives_as_set(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    make_client(sleeps, user_agent="  Jane Q. Analyst jane.analyst@example.org ").get(sec_server.url(TICKERS))

    assert [r.headers["User-Agent"] for r in sec_server.requests] == [
        "Jane Q. Analyst jane.analyst@example.org"
    ]


# --------------------------------------------------------------------------------------------------- retries


def test_429_waits_at_least_retry_after(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(TICKERS, ("status", 429, {"Retry-After": "1"}))

    body = make_client(sleeps, backoff_max_s=5).get(sec_server.url(TICKERS))

    assert body == mirror_bytes(TICKERS)
    assert len(sleeps.waits) == 1
    assert 1.0 <= sleeps.waits[0] <= 5
    first, second = sec_server.requests
    assert second.t - first.t >= 1.0


def test_retry_after_is_capped_at_backoff_max(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(TICKERS, ("status", 429, {"Retry-After": "3600"}))

    body = make_client(sleeps, backoff_max_s=0.2).get(sec_server.url(TICKERS))

    assert body == mirror_bytes(TICKERS)
    assert sleeps.waits == [0.2]


def test_503_then_success_is_logged(
    sec_server: SecServer, sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    sec_server.inject(SGML_TXT, ("status", 503, {}))
    url = sec_server.url(SGML_TXT)

    with caplog.at_level(logging.WARNING, logger="edgar.http"):
        body = make_client(sleeps).get(url)

    assert body == mirror_bytes(SGML_TXT)
    assert len(sec_server.requests_for(SGML_TXT)) == 2
    assert len(sleeps.waits) == 1
    assert 0 <= sleeps.waits[0] <= 0.01  # first retry: uniform(0, backoff_base_s)
    [record] = [r for r in caplog.records if r.name == "edgar.http"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert url in message
    assert "attempt 1/7" in message
    assert "503 Service Unavailable" in message
    assert f"{sleeps.waits[0]:.2f}s" in message


def test_truncated_body_then_success(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(SGML_TXT, ("truncate", 5000))

    body = make_client(sleeps).get(sec_server.url(SGML_TXT))

    assert body == mirror_bytes(SGML_TXT)
    assert len(sec_server.requests_for(SGML_TXT)) == 2
    assert len(sleeps.waits) == 1


def test_persistent_truncation_fails_with_the_byte_counts(
    sec_server: SecServer, sleeps: SleepRecorder
) -> None:
    sec_server.inject(SGML_TXT, ("truncate", 5000), ("truncate", 5000))

    with pytest.raises(SecHttpError) as caught:
        make_client(sleeps, max_retries=1).get(sec_server.url(SGML_TXT))

    assert (caught.value.status, caught.value.attempts) == (200, 2)
    assert caught.value.last_reason.startswith("truncated body: connection closed after 5000 bytes, ")
    assert len(sec_server.requests) == 2


def test_consistent_but_incomplete_body_is_retried(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    whole = mirror_bytes(TICKERS)
    sec_server.inject(
        TICKERS, ("body", whole[: len(whole) // 2])
    )  # right Content-Length, half a JSON document

    body = make_client(sleeps).get(sec_server.url(TICKERS))

    assert body == whole
    assert len(sec_server.requests) == 2


@pytest.mark.parametrize("status", [200, 403])
def test_rate_limit_page_is_never_the_document(
    sec_server: SecServer, sleeps: SleepRecorder, status: int
) -> None:
    sec_server.inject(TICKERS, ("ratelimit_page", status), ("ratelimit_page", status))

    body = make_client(sleeps).get(sec_server.url(TICKERS))

    assert body == mirror_bytes(TICKERS)
    assert b"Request Rate Threshold Exceeded" not in body
    assert len(sec_server.requests) == 3
    assert len(sleeps.waits) == 2


def test_persistent_rate_limit_page_raises_rate_limited(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(TICKERS, *[("ratelimit_page", 200)] * 3)
    url = sec_server.url(TICKERS)

    with pytest.raises(SecRateLimited) as caught:
        make_client(sleeps, max_retries=2).get(url)

    assert caught.value.attempts == 3
    assert caught.value.status == 200
    assert str(caught.value).startswith(f"GET {url} failed after 3 attempts: SEC rate-limit page")
    assert len(sec_server.requests) == 3


def test_persistent_503_raises_naming_url_and_attempts(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(DAILY_INDEX, *[("status", 503, {})] * 7)
    url = sec_server.url(DAILY_INDEX)

    with pytest.raises(SecHttpError) as caught:
        make_client(sleeps).get(url)  # default max_retries=6

    error = caught.value
    assert type(error) is SecHttpError
    assert isinstance(error, EdgarError)
    assert str(error) == f"GET {url} failed after 7 attempts: 503 Service Unavailable"
    assert (error.url, error.status, error.attempts) == (url, 503, 7)
    assert len(sec_server.requests) == 7
    assert len(sleeps.waits) == 6
    assert all(0 <= w <= 0.05 for w in sleeps.waits)


def test_404_raises_not_found_without_retry(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    url = sec_server.url(MISSING)

    with pytest.raises(SecNotFound) as caught:
        make_client(sleeps).get(url)

    assert (caught.value.status, caught.value.attempts) == (404, 1)
    assert str(caught.value) == f"GET {url} failed after 1 attempt: 404 Not Found"
    assert len(sec_server.requests) == 1
    assert sleeps.waits == []


def test_other_4xx_fails_at_once(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(TICKERS, ("status", 403, {}))

    with pytest.raises(SecHttpError) as caught:
        make_client(sleeps).get(sec_server.url(TICKERS))

    assert type(caught.value) is SecHttpError
    assert (caught.value.status, caught.value.attempts) == (403, 1)
    assert len(sec_server.requests) == 1


def test_undeclared_user_agent_403_says_what_to_do(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    page = b"<html><head><title>SEC.gov | Your Request Originates from an Undeclared Automated Tool</title></head></html>"
    sec_server.inject(TICKERS, ("status", 403, {}, page))

    with pytest.raises(SecHttpError) as caught:
        make_client(sleeps).get(sec_server.url(TICKERS))

    assert caught.value.status == 403
    assert caught.value.last_reason.startswith("403 Forbidden: the SEC rejects this User-Agent")
    assert 'SEC_USER_AGENT="Name email@example.com"' in caught.value.last_reason
    assert len(sec_server.requests) == 1


def test_dropped_connection_is_retried(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(COMPANYFACTS, ("drop",), ("drop",))

    body = make_client(sleeps).get(sec_server.url(COMPANYFACTS))

    assert body == mirror_bytes(COMPANYFACTS)
    assert len(sec_server.requests) == 3
    assert len(sleeps.waits) == 2


def test_timeout_is_retried(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(TICKERS, ("delay", 1.0))

    started = time.monotonic()
    body = make_client(sleeps, timeout_s=0.2).get(sec_server.url(TICKERS))

    assert body == mirror_bytes(TICKERS)
    assert len(sec_server.requests) == 2
    assert time.monotonic() - started < 1.0  # the client gave up on the slow attempt, it did not wait it out


def test_connection_refused_is_retried_then_fails(sleeps: SleepRecorder) -> None:
    server = SecServer(MIRROR).start()
    url = server.url(TICKERS)
    server.stop()  # nobody listens on that port any more

    with pytest.raises(SecHttpError) as caught:
        make_client(sleeps, max_retries=2).get(url)

    assert caught.value.status is None
    assert caught.value.attempts == 3
    assert "connection error: ConnectionRefusedError" in caught.value.last_reason


# --------------------------------------------------------------------------------------------------- rate limit


def test_shared_limiter_keeps_every_second_within_max_rps(sec_server: SecServer) -> None:
    paths = [TICKERS, DAILY_INDEX, SGML_TXT, SGML_NC, urls.submissions_path(1318605)]
    errors: list[BaseException] = []
    lock = threading.Lock()
    remaining = list(range(25))

    clients = [SecHttpClient(user_agent=UA, max_rps=10, backoff_base_s=0.01) for _ in range(4)]
    assert all(
        client.limiter is get_shared_limiter(10) for client in clients
    )  # no limiter given: the shared one

    def worker(client: SecHttpClient) -> None:
        while True:
            with lock:
                if not remaining:
                    return
                n = remaining.pop()
            try:
                client.get(sec_server.url(paths[n % len(paths)]))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    starts = sorted(r.t for r in sec_server.requests)
    assert len(starts) == 25
    # 11 starts within one second would be a window with more than 10: every 11 consecutive starts span > 1 s
    spans = [starts[i + 10] - starts[i] for i in range(len(starts) - 10)]
    assert min(spans) > 1.0
    # and the limiter is not needlessly slow: 25 starts need just over two windows
    assert 2.0 < starts[-1] - starts[0] < 3.5


def test_get_shared_limiter_is_one_per_rate() -> None:
    assert get_shared_limiter(7) is get_shared_limiter(7.0)
    assert get_shared_limiter(7) is not get_shared_limiter(5)
    assert get_shared_limiter(5).max_rps == 5.0


def test_rate_limiter_sliding_window_with_fake_clock() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(10, margin_s=0.05, clock=lambda: now[0], sleep=sleep)
    assert [limiter.acquire() for _ in range(10)] == [0.0] * 10  # a burst of max_rps
    now[0] += 0.5
    assert limiter.acquire() == pytest.approx(0.55)  # the 11th waits until the 1st is a window old
    assert limiter.try_acquire() == 0.0  # the 2nd of the burst is a window old too
    assert slept == [pytest.approx(0.55)]


def test_rate_limiter_fractional_rate() -> None:
    limiter = RateLimiter(2.5, margin_s=0)
    assert (limiter.capacity, limiter.window_s) == (2, 1.0)  # at most 2 (< 2.5) starts in any second
    slow = RateLimiter(0.5, margin_s=0)
    assert (slow.capacity, slow.window_s) == (1, 2.0)
    with pytest.raises(ValueError):
        RateLimiter(0)


# --------------------------------------------------------------------------------------------------- constructor


@pytest.mark.parametrize("agent", ["", "   ", "AIHF Tests", "aihf@", "me@localhost"])
def test_constructor_refuses_unusable_user_agent(agent: str) -> None:
    with pytest.raises(ValueError) as caught:
        SecHttpClient(user_agent=agent)
    assert 'SEC_USER_AGENT="Name email@example.com"' in str(caught.value)


def test_constructor_refuses_more_than_the_sec_allows() -> None:
    with pytest.raises(ValueError, match="SEC fair-access"):
        SecHttpClient(user_agent=UA, max_rps=11)


# --------------------------------------------------------------------------------------------------- pure helpers

COMPLETE_SAMPLES = {
    # url suffix -> a real mirror file of that kind
    "company_tickers.json": "reference/company_tickers.json",
    "0001213900-25-032135.txt": "8k/0001213900-25-032135.txt",  # <SEC-DOCUMENT>
    "0001493152-25-001317.nc": "8k/0001493152-25-001317.nc",  # <SUBMISSION>
    "aapl-20230930_htm.xml": "xbrl/aapl-10k-2023-09-30/aapl-20230930_htm.xml",
    "aapl-20230930.xsd": "xbrl/aapl-10k-2023-09-30/aapl-20230930.xsd",
    "form4.xml": "ownership/form4-snowflake.xml",
    "aapl-20240928.htm": "ixbrl/apple-10k-2024-09-28.htm",  # inline XBRL (XHTML)
}


def test_check_complete_accepts_every_mirror_file() -> None:
    files = [p for p in sorted(MIRROR.rglob("*")) if p.is_file()]
    assert len(files) > 100
    verdicts = {
        p.relative_to(MIRROR).as_posix(): check_complete(
            f"https://www.sec.gov/x/{p.name}", p.read_bytes(), None
        )
        for p in files
    }
    assert {name: why for name, why in verdicts.items() if why is not None} == {}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("company_tickers.json", "invalid JSON"),
        ("0001213900-25-032135.txt", "does not end with </SEC-DOCUMENT>"),
        ("0001493152-25-001317.nc", "does not end with </SUBMISSION>"),
        ("aapl-20230930_htm.xml", "markup ends with b'ef;border-bottom:3pt', not '>'"),
        ("aapl-20230930.xsd", "is not closed"),
        ("form4.xml", "XML root element <ownershipDocument> is not closed"),
        ("aapl-20240928.htm", "markup ends with b'or:#efefef;padding:2', not '>'"),
    ],
)
def test_check_complete_rejects_half_a_file(name: str, expected: str) -> None:
    whole = (MIRROR / COMPLETE_SAMPLES[name]).read_bytes()
    url = f"https://www.sec.gov/Archives/edgar/data/1/000000000000000000/{name}"

    assert check_complete(url, whole, None) is None
    reason = check_complete(url, whole[: len(whole) // 2], None)
    assert reason is not None
    assert expected in reason


@pytest.mark.parametrize(
    ("name", "root"),
    [
        ("form4.xml", "ownershipDocument"),
        ("aapl-20230930_htm.xml", "xbrl"),
        ("aapl-20240928.htm", "html"),
    ],
)
def test_check_complete_on_a_cut_just_before_the_closing_tag(name: str, root: str) -> None:
    whole = (MIRROR / COMPLETE_SAMPLES[name]).read_bytes().rstrip()
    cut = whole[: whole.rindex(b"</")]  # ends with '>' of the last child: only the root check can tell
    assert cut.rstrip().endswith(b">")
    assert (
        check_complete(f"https://www.sec.gov/x/{name}", cut, None)
        == f"XML root element <{root}> is not closed"
    )


def test_check_complete_uses_the_content_type() -> None:
    assert (
        check_complete("https://data.sec.gov/api/x", b'{"a": [1, 2', "application/json; charset=utf-8")
        is not None
    )
    assert check_complete("https://data.sec.gov/api/x", b'{"a": [1, 2]}', "application/json") is None
    assert (
        check_complete("https://www.sec.gov/x", b"<a><b/>", "text/xml")
        == "XML root element <a> is not closed"
    )
    assert (
        check_complete("https://www.sec.gov/x.htm", b"<html><body>hello", None)
        == "markup ends with b'<html><body>hello', not '>'"
    )
    assert check_complete("https://www.sec.gov/x.idx", b"half an ind", None) is None  # no terminator to check
    assert (
        check_complete("https://www.sec.gov/x.xml", b"<?xml version='1.0'?>\n<root a='1'/>\n", None) is None
    )


def test_rate_limit_page_is_recognised_by_content() -> None:
    assert is_rate_limit_page((MIRROR / "reference/sec-rate-exceeded.html").read_bytes())
    assert not is_rate_limit_page(
        (MIRROR / "reference/carbo-ceramics-10k-2017-0001564590-18-004771-index.html").read_bytes()
    )
    assert not is_rate_limit_page(mirror_bytes(TICKERS))


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_retry_after("1") == 1.0
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_decode_body() -> None:
    data = (MIRROR / "reference/company_tickers.json").read_bytes()
    assert decode_body(gzip.compress(data), "gzip") == data
    assert decode_body(zlib.compress(data), "deflate") == data
    raw_deflate = zlib.compressobj(wbits=-15)
    assert decode_body(raw_deflate.compress(data) + raw_deflate.flush(), "deflate") == data
    assert decode_body(data, None) == data
    with pytest.raises(IncompleteBodyError):
        decode_body(gzip.compress(data)[:1000], "gzip")
    with pytest.raises(ValueError):
        decode_body(data, "br")


def test_errors_pickle_with_their_fields() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(SecNotFound("https://www.sec.gov/x", 404, 1, "404 Not Found")))
    assert type(error) is SecNotFound
    assert (error.url, error.status, error.attempts, str(error)) == (
        "https://www.sec.gov/x",
        404,
        1,
        "GET https://www.sec.gov/x failed after 1 attempt: 404 Not Found",
    )


# --------------------------------------------------------------------------------------------------- keep-alive


def test_sequential_gets_share_one_keep_alive_connection(
    sec_server: SecServer, sleeps: SleepRecorder
) -> None:
    client = make_client(sleeps)
    paths = [TICKERS, DAILY_INDEX, SGML_TXT, SGML_NC, TICKERS]

    bodies = [client.get(sec_server.url(p)) for p in paths]

    assert bodies == [mirror_bytes(p) for p in paths]
    assert client.connections_opened == 1
    assert len({r.client for r in sec_server.requests}) == 1  # one TCP connection served all five
    assert all("Connection" not in r.headers for r in sec_server.requests)  # no more "Connection: close"


def test_faults_that_break_the_connection_get_a_new_one(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(SGML_TXT, ("truncate", 5000), ("status", 503, {}))
    client = make_client(sleeps)

    assert client.get(sec_server.url(SGML_TXT)) == mirror_bytes(SGML_TXT)
    assert client.get(sec_server.url(TICKERS)) == mirror_bytes(TICKERS)

    ports = [r.client[1] for r in sec_server.requests]
    assert len(ports) == 4  # truncated, 503, whole, tickers
    assert ports[0] != ports[1] == ports[2] == ports[3]  # the 503 kept its connection, the cut one did not


def test_idle_connection_closed_by_the_server_is_not_a_failed_attempt(
    sec_server: SecServer, sleeps: SleepRecorder
) -> None:
    sec_server.inject(TICKERS, ("close_after",))
    client = make_client(sleeps, max_retries=0)  # a counted attempt would fail the second get

    assert client.get(sec_server.url(TICKERS)) == mirror_bytes(TICKERS)
    assert client.get(sec_server.url(DAILY_INDEX)) == mirror_bytes(DAILY_INDEX)

    assert [r.path for r in sec_server.requests] == [TICKERS, DAILY_INDEX]
    assert client.connections_opened == 2
    assert sleeps.waits == []


def test_get_many_returns_each_body_or_error_with_bounded_concurrency(
    sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    server = SecServer(MIRROR, latency_s=0.1).start()
    try:
        paths = [TICKERS, DAILY_INDEX, SGML_TXT, SGML_NC, MISSING] * 4
        client = make_client(sleeps, max_in_flight=3)
        wanted = [server.url(p) for p in paths]
        with caplog.at_level(logging.INFO, logger="edgar.http"):
            results = list(client.get_many(wanted, ordered=True))
        requests = server.requests
    finally:
        server.stop()

    assert [url for url, _ in results] == wanted
    for path, (_, result) in zip(paths, results, strict=True):
        if path == MISSING:
            assert isinstance(result, SecNotFound)
            assert result.attempts == 1
        else:
            assert result == mirror_bytes(path)
    assert len(requests) == 20
    assert client.connections_opened <= 3
    assert len({r.client for r in requests}) == client.connections_opened
    # never more than 3 in flight: each request takes >= 0.1 s, so no 4 starts within 0.1 s of each other
    starts = sorted(r.t for r in requests)
    assert min(starts[i + 3] - starts[i] for i in range(len(starts) - 3)) >= 0.09
    [summary] = [r.getMessage() for r in caplog.records if "documents in" in r.getMessage()]
    assert summary.startswith("GET 20 documents in ")
    assert "req/s with 3 in flight" in summary


def test_get_many_unordered_yields_as_they_complete(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    sec_server.inject(TICKERS, ("delay", 0.5))
    client = make_client(sleeps, max_in_flight=2)

    order = [url for url, _ in client.get_many([sec_server.url(TICKERS), sec_server.url(DAILY_INDEX)])]

    assert order == [sec_server.url(DAILY_INDEX), sec_server.url(TICKERS)]


def test_live_source_get_many_gives_what_get_gives(sec_server: SecServer, sleeps: SleepRecorder) -> None:
    from edgar.errors import DocumentNotFound
    from edgar.source import LiveSource

    client = make_client(sleeps)
    source = LiveSource(
        client.get, www_url=sec_server.base_url, data_url=sec_server.base_url, fetch_many=client.get_many
    )
    paths = [SGML_TXT, MISSING, TICKERS, SGML_TXT, SGML_NC]

    many = list(source.get_many(paths))

    assert [path for path, _ in many] == paths
    for path, result in many:
        if path == MISSING:
            with pytest.raises(DocumentNotFound) as caught:
                source.get(path)
            assert type(result) is DocumentNotFound
            assert str(result) == str(caught.value)
        else:
            assert result == source.get(path) == mirror_bytes(path)
