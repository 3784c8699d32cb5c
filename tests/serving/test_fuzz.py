"""Schemathesis against the app's own OpenAPI document: no input yields a 5xx; errors keep their format.

The generated requests name things the lake holds (tickers, CIKs, accession numbers, filing ids, documents,
dates inside the data), not only random strings, so they reach past the 404 of an unknown ticker into the
code that reads rows; they also carry known-bad inputs (Unicode digits ``int()`` refuses, cursors whose values
have the wrong type). Every operation of the spec is run.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from litestar.testing import TestClient

from lake.delta import read_table
from lake.screener import filter_fields
from lake.storage import Lake
from serving.app import create_app
from tests.serving.conftest import lake_settings

Client = TestClient  # type: ignore[type-arg]

#: Examples per operation (about 50 operations: about 30 s).
EXAMPLES = 30

#: Strings for which ``str.isdigit()`` is true (or that look numeric) but ``int()`` refuses, and friends.
BAD_TEXT = ["2024-02-30", "¹", "²³", "320193¹", "①", "٣٢٠١٩٣", "Ⅻ", "1_000", " 7 ", "-0", "1e3", "\x00", "💥"]


#: Parameters always given a lake value in "lake" mode (most FD operations need a ticker, /prices a date range,
#: the search a q).
ALWAYS = {"ticker", "q", "start_date", "end_date"}


def _cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


#: /v1 cursors of the right shape whose values have the wrong types, counts or sort fields; FD offset cursors
#: that are not numbers. Every one must be a 400 wherever a cursor is accepted.
BAD_CURSORS = [
    _cursor("filing_date", "desc", [5, 5], [1]),
    _cursor("filing_date", "desc", [[1], {"a": 1}], [1]),
    _cursor("filing_date", "desc", ["not a date", "x"], [1]),
    _cursor("filing_date", "desc", ["2024-01-01"], [1]),
    _cursor("as_of", "desc", [1.5, None], [1]),
    _cursor("as_of", "desc", ["2024-01-01T00:00:00+00:00", 7, 8], [1]),
    _cursor("rank", "asc", ["zero", "cik"], [1]),
    _cursor("rank", "asc", [True, 1], ["x"]),
    _cursor("value_usd", "desc", ["big", {}, [], 1, 2, 3], [1]),
    _cursor("report_period", "desc", [{"x": 1}, "annual", "FY"], [1]),
    _cursor("score", "desc", [None, 3], [1]),
    base64.urlsafe_b64encode(b"o:\xc2\xb9").decode(),  # FD cursor "o:¹"
    base64.urlsafe_b64encode(b"o:-5").decode(),
    "¹",
]


def lake_values(lake: Lake) -> dict[str, list[Any]]:
    """Values of query/path parameters (by name) that exist in ``lake``, mixed with known-bad ones."""
    filings = read_table(
        lake, "filings", columns=["filing_id", "accession", "cik", "filing_date"]
    ).to_pylist()
    thirteenf = read_table(lake, "thirteenf_filings", columns=["filing_id", "accession", "filer_cik"])
    insiders = read_table(
        lake, "insider_trades", columns=["ticker", "name", "issuer_cik", "transaction_type"]
    ).to_pylist()
    signals = read_table(lake, "signals", columns=["accession", "cik"]).to_pylist()
    docs = read_table(lake, "raw_documents", columns=["name"]).column("name").to_pylist()
    items = read_table(lake, "report_items", columns=["name"]).column("name").to_pylist()
    ciks = sorted(
        {r["cik"] for r in filings}
        | {c for c in thirteenf.column("filer_cik").to_pylist() if c}
        | {r["issuer_cik"] for r in insiders if r["issuer_cik"]}
    )
    company_rows = read_table(lake, "companies", columns=["cik", "name", "tickers"]).to_pylist()
    held = {r["cik"]: r for r in company_rows if r["cik"] in set(ciks)}
    tickers = sorted({t for r in held.values() for t in r["tickers"] or []} | {r["ticker"] for r in insiders})
    ids = sorted(
        {r["accession"] for r in filings if r["accession"]}
        | {r["filing_id"] for r in filings}
        | {
            x
            for x in thirteenf.column("filing_id").to_pylist() + thirteenf.column("accession").to_pylist()
            if x
        }
        | {r["accession"] for r in signals if r["accession"]}
    )
    dates = sorted({str(r["filing_date"]) for r in filings if r["filing_date"]})[::3]
    names = [*(r["name"] for r in insiders if r["name"]), *(r["name"] for r in held.values() if r["name"])]
    names = names[:10] + names[-10:]
    assert len(tickers) > 10 and len(ciks) > 10 and len(ids) > 20 and docs and items, "lake too small"
    number = [str(c) for c in ciks]
    values: dict[str, list[Any]] = {
        "ticker": [*tickers, *(t.lower() for t in tickers[:5])],
        "cik": number,
        "issuer_cik": number,
        "filer_cik": number,
        "accession": ids,
        "filing_id": ids,
        "accession_number": ids,
        "document": docs,
        "item": sorted(set(items)),
        "name": names,
        "investor": names,
        "q": [*tickers[:10], *number[:5], *(n[:6] for n in names[:5])],
        "cursor": [""],  # no cursor (the bad ones come as bad values)
    }
    forms = sorted(set(read_table(lake, "filings", columns=["form"]).column("form").to_pylist()))
    kinds = sorted(set(read_table(lake, "signals", columns=["kind"]).column("kind").to_pylist()))
    values.update(
        {
            "period": ["annual", "quarterly", "ttm"],
            "limit": ["1", "2", "5", "100"],
            "interval": ["day", "week", "month", "year"],
            "interval_multiplier": ["1", "2"],
            "sort_by": [
                "filing_date", "acceptance_utc", "period_of_report", "filing_id", "as_of", "score", "confidence",
                "value_usd", "shares", "share_delta", "report_period", "fiscal_period",
            ],
            "order": ["asc", "desc"],
            "stmt": ["income", "balance", "cash_flow"],
            "version": ["first", "latest"],
            "fq": ["Q1", "Q2", "Q3", "Q4"],
            "fy": ["2021", "2023", "2024", "2025"],
            "year": ["2021", "2023", "2024", "2025"],
            "quarter": ["1", "2", "3", "4"],
            "kind": kinds,
            "factors": ["value,momentum", "size_raw", "quality"],
            "form": forms,
            "filing_type": forms,
            "form_type": ["3", "5", "3/A"],
            "transaction_type": sorted({r["transaction_type"] for r in insiders if r.get("transaction_type")})
            or ["Sale"],
        }
    )  # fmt: skip
    for name in (
        "report_period", "report_period_gte", "report_period_lte", "report_period_gt", "report_period_lt",
        "filing_date", "filing_date_gte", "filing_date_lte", "filing_date_gt", "filing_date_lt",
        "start_date", "end_date", "from", "to", "date", "as_of",
    ):  # fmt: skip
        # lower bounds from the older half, upper bounds from the newer one: a range mostly holds rows
        lower = name.endswith(("_gte", "_gt")) or name in ("start_date", "from")
        upper = name.endswith(("_lte", "_lt")) or name in ("end_date", "to")
        half = len(dates) // 2
        values[name] = dates[: half + 1] if lower else dates[half:] if upper else dates
    return values


def screener_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Screener bodies over real fields with values of every kind (right type, wrong type, lists, huge lists)."""
    fields = [f.field for f in filter_fields()]
    value = st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(),
        st.sampled_from(["AAPL", "2024-06-30", "¹", "", "ttm"]),
        st.lists(st.sampled_from(["AAPL", "MSFT", 1, 2.5, "2024-01-01"]), max_size=5),
        st.just(list(range(1001))),
        st.none(),
    )
    condition = st.fixed_dictionaries(
        {
            "field": st.sampled_from(fields),
            "operator": st.sampled_from(["eq", "gt", "gte", "lt", "lte", "in"]),
            "value": value,
        }
    )
    return st.fixed_dictionaries(
        {"filters": st.lists(condition, max_size=4)},
        optional={
            "limit": st.integers(-5, 2000),
            "order_by": st.sampled_from([*fields[:8], "nonsense"]),
            "order_direction": st.sampled_from(["asc", "desc", "up"]),
        },
    )


def line_item_bodies(values: dict[str, list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Line-item search bodies over real tickers."""
    return st.fixed_dictionaries(
        {
            "tickers": st.lists(st.sampled_from([*values["ticker"], "¹"]), min_size=1, max_size=4),
            "line_items": st.lists(
                st.sampled_from(["revenue", "net_income", "free_cash_flow", "total_assets", "gross_margin"]),
                min_size=1,
                max_size=3,
            ),
        },
        optional={
            "period": st.sampled_from(["ttm", "annual", "quarterly", "weekly"]),
            "limit": st.integers(-1, 50),
            "start_date": st.sampled_from(values["from"]),
            "end_date": st.sampled_from(values["to"]),
        },
    )


def _check(case: Any, response: Any) -> None:
    assert response.status_code < 500, (case.method, case.path, case.path_parameters, case.query, case.body,
                                        response.text[:300])  # fmt: skip
    if response.status_code >= 400 and "json" in response.headers.get("content-type", [""])[0]:
        body = response.json()
        assert "error" in body or "detail" in body, body


@pytest.fixture(scope="module")
def values(built_lake: Lake) -> dict[str, list[Any]]:
    """Parameter values from the built lake (see :func:`lake_values`)."""
    return lake_values(built_lake)


def _schema(lake: Lake) -> Any:
    """Schemathesis' view of the spec of an app of its own over ``lake`` (it drives that app in process)."""
    return schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(lake_settings(lake), lake))


def _fuzz(operation: Any, values: dict[str, list[Any]], body: Any, seen: dict[str, int]) -> None:
    """Run ``EXAMPLES`` generated requests to ``operation``: lake values most of the time, else the fuzzer's."""

    @hypothesis.given(st.data())
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def run(data: Any) -> None:
        fixed = {"body": data.draw(body)} if body is not None and data.draw(st.booleans()) else {}
        case = data.draw(operation.as_strategy(**fixed))
        mode = data.draw(st.sampled_from(["lake", "lake", "lake", "bad", "fuzz"]))
        if mode != "fuzz":
            case.query = dict(case.query or {})
            # each parameter the lake has values for: one of them (or, for an optional one, left out);
            # in "bad" mode one parameter then gets a bad text (or a bad cursor)
            for param in operation.query:
                wanted = param.is_required or param.name in ALWAYS or data.draw(st.booleans())
                if param.name in values and wanted:
                    case.query[param.name] = data.draw(st.sampled_from(values[param.name]))
                elif not param.is_required:
                    case.query.pop(param.name, None)
            for param in operation.path_parameters:
                if param.name in values:
                    value = data.draw(st.sampled_from(values[param.name]))
                    case.path_parameters[param.name] = int(value) if param.name == "cik" else value
            names = [p.name for p in operation.query]
            if mode == "bad" and names:
                # half of the bad requests of an operation with a cursor tamper with the cursor
                cursor = "cursor" in names and data.draw(st.booleans())
                name = "cursor" if cursor else data.draw(st.sampled_from(names))
                case.query[name] = data.draw(st.sampled_from(BAD_CURSORS if name == "cursor" else BAD_TEXT))
        _check(case, case.call())
        seen[operation.label] = seen.get(operation.label, 0) + 1

    run()


def test_no_server_errors(built_lake: Lake, values: dict[str, list[Any]]) -> None:
    """Every operation, with parameters drawn from the lake, the fuzzer or the bad inputs: never a 5xx."""
    operations = [result.ok() for result in _schema(built_lake).get_all_operations()]
    assert len(operations) > 40
    bodies = {
        "/financials/search/screener": screener_bodies(),
        "/financials/search/line-items": line_item_bodies(values),
    }
    seen: dict[str, int] = {}

    for operation in operations:
        _fuzz(operation, values, bodies.get(operation.path), seen)
    assert sorted(seen) == sorted(o.label for o in operations)


def test_bad_inputs_on_every_parameter(
    built_lake: Lake, values: dict[str, list[Any]], client: Client
) -> None:
    """Each string parameter of every GET operation with each bad text, each cursor parameter with each bad
    cursor, the other parameters valid (a lake ticker, CIK or filing): a 4xx in the error format or a 200."""
    valid = {name: options[0] for name, options in values.items() if name != "cursor"}
    valid["ticker"] = "AAPL"
    valid["cik"] = "320193"
    sent = 0
    for result in _schema(built_lake).get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        path_values = {p.name: valid.get(p.name, "x") for p in operation.path_parameters}
        path = operation.path.format(**path_values)
        for param in operation.query:
            bad = BAD_CURSORS if param.name == "cursor" else BAD_TEXT
            for text in bad:
                query = {
                    p.name: valid[p.name] for p in operation.query if p.name in valid and p.name != "cursor"
                }
                query[param.name] = text
                response = client.get(path, params=query)
                sent += 1
                assert response.status_code < 500, (path, query, response.text[:300])
                if param.name == "cursor" and response.status_code != 404:
                    assert response.status_code == 400, (path, query, response.text[:300])
                if response.status_code >= 400:
                    body = response.json()
                    assert (
                        ("error" in body and "request_id" in body)
                        if path.startswith("/v1")
                        else "error" in body
                    )
    assert sent > 300
