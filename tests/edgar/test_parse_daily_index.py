from datetime import date
from pathlib import Path

import pytest

from edgar.parse import IndexEntry, ParseError, parse_daily_index


def _parse(mirror: Path, rel: str, *, strict: bool = True):  # type: ignore[no-untyped-def]
    path = mirror / "index" / rel
    return parse_daily_index(path.read_bytes(), path.name, strict=strict)


def test_form_index(mirror: Path) -> None:
    idx = _parse(mirror, "form.20200318.idx")
    # `awk 'NR>10' form.20200318.idx | grep -c edgar/data` -> 4084
    assert len(idx.entries) == 4084
    assert idx.errors == []
    assert idx.description == "Daily Index of EDGAR Dissemination Feed by Form Type"
    assert idx.last_data_received == "Mar 18, 2020"
    assert idx.entries[0] == IndexEntry(
        form="1-A",
        company="DLP Positive Note Fund LLC",
        cik=1806014,
        date_filed=date(2020, 3, 18),
        file_name="edgar/data/1806014/0001140361-20-006155.txt",
        accession="0001140361-20-006155",
        line=11,
    )
    assert idx.entries[2].form == "1-A POS"
    assert idx.entries[2].company == "Belpointe REIT, Inc."
    last = idx.entries[-1]
    assert (last.form, last.company, last.cik, last.accession, last.line) == (
        "X-17A-5/A",
        "USA FINANCIAL SECURITIES CORPORATION",
        1105608,
        "0001105608-20-000004",
        4094,
    )
    assert sum(e.form == "8-K" for e in idx.entries) == 232
    # a daily index lists what was disseminated that day: 144 entries (CORRESP, UPLOAD, SEC STAFF LETTER,
    # DRS released later, EFFECT...) carry an older filing date
    older = [e for e in idx.entries if e.date_filed != date(2020, 3, 18)]
    assert len(older) == 144
    assert max(e.date_filed for e in idx.entries) == date(2020, 3, 18)


def test_company_index_with_wrapped_header(mirror: Path) -> None:
    idx = _parse(mirror, "company.20221003.idx")
    # `awk 'NR>11' company.20221003.idx | grep -c edgar/data` -> 4925
    assert len(idx.entries) == 4925
    first = idx.entries[0]
    assert (first.company, first.form, first.cik, first.accession, first.line) == (
        "1st stREIT Office Inc.",
        "1-A POS",
        1700461,
        "0001104659-22-105357",
        12,
    )
    tesla = next(e for e in idx.entries if e.cik == 1318605)
    assert (tesla.company, tesla.form, tesla.date_filed, tesla.accession, tesla.line) == (
        "Tesla, Inc.",
        "8-K",
        date(2022, 10, 3),
        "0001564590-22-033053",
        4548,
    )
    assert idx.entries[-1].company == "voxeljet AG"
    assert sum(e.form == "8-K" for e in idx.entries) == 280


def test_empty_index_raises(mirror: Path) -> None:
    with pytest.raises(ParseError) as err:
        _parse(mirror, "bad/empty-form.idx")
    assert str(err.value) == "empty-form.idx line 10: no entries after the header at line 10"
    assert (err.value.source, err.value.line) == ("empty-form.idx", 10)
    with pytest.raises(ParseError, match="no entries after the header"):
        _parse(mirror, "bad/empty-form.idx", strict=False)


def test_overflowing_company_name_raises(mirror: Path) -> None:
    with pytest.raises(ParseError) as err:
        _parse(mirror, "bad/badform.idx.txt")
    assert err.value.line == 17
    assert str(err.value) == (
        "badform.idx.txt line 17: Company Name overflows into the CIK column (which holds 'ER  820694', at column 75)"
    )


def test_lenient_mode_keeps_good_rows(mirror: Path) -> None:
    idx = _parse(mirror, "bad/badform.idx.txt", strict=False)
    assert len(idx.entries) == 9
    assert [e.line for e in idx.errors] == [17]
    # this file writes dates as YYYY-MM-DD
    assert idx.entries[0].date_filed == date(2021, 2, 5)
    assert idx.entries[0].accession == "0001213900-21-007106"
    assert idx.entries[-1].cik == 1225152


HEADER = (
    b"Description:           Daily Index\n\n"
    b"Form Type   Company Name                                                  CIK         Date Filed  File Name\n"
    b"-----------------------------------------------------------------------------------------------------\n"
)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            b"4           ACME INC                                                      12A4        20200318    edgar/data/1234/0000001234-20-000001.txt",
            "CIK column holds '12A4', not digits",
        ),
        (
            b"4           ACME INC                                                      1234        20200231    edgar/data/1234/0000001234-20-000001.txt",
            "Date Filed '20200231' is not a valid",
        ),
        (
            b"4           ACME INC                                                      1234        20200318    edgar/data/1235/0000001234-20-000001.txt",
            "names CIK 1235, the CIK column says 1234",
        ),
        (
            b"4           ACME INC                                                      1234        20200318    edgar/data/1234/0000001234-20-00001.txt",
            "is not edgar/data/<cik>/<accession>.txt",
        ),
    ],
)
def test_bad_rows(row: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=rf"^t\.idx line 5: .*{message}"):
        parse_daily_index(HEADER + row + b"\n", "t.idx")


def test_no_header() -> None:
    with pytest.raises(ParseError, match=r"^x\.idx: no header line"):
        parse_daily_index(b"hello\n", "x.idx")
