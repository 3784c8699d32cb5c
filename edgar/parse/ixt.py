"""Inline XBRL transformation rules (``ixt:`` / ``ixt-sec:`` formats).

Covers the date, month-day, year-month, number and boolean formats of the XBRL Transformation Registries 1-5
(English month names) and the SEC's ``ixt-sec`` registry (durations, number and duration words, exchange, state
and filer-category names, ballot boxes); :func:`transform` applies any of them to the text of an ``ix:nonNumeric``. Format names are compared without prefix, hyphens and case, so
``ixt:date-monthname-day-year-en`` (TR4) and ``ixt:datemonthdayyearen`` (TR2/3) meet in the same rule. Every
function returns ``None`` when the text does not fit the format: a value is never guessed.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_TOKENS = re.compile(r"[A-Za-z]+|\d+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|T|Z|[+-]\d{2}:\d{2}$)")
_NUM_UNIT_DECIMAL = re.compile(r"^(\d[\d,. ]*)\s*[^\d\s]+\s*(\d{1,2})\s*[^\d\s]*$")
_ISO_MONTH_DAY = re.compile(r"^--(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$")
# Transformation Registry 1 names that do not spell out the field order
_TR1_ORDER = {
    "datelongus": "mdy", "dateshortus": "mdy", "dateslashus": "mdy", "datedotus": "mdy",
    "datelonguk": "dmy", "dateshortuk": "dmy", "dateslasheu": "dmy", "datedoteu": "dmy",
    "datelongdaymonthuk": "dm", "dateshortdaymonthuk": "dm", "dateslashdaymontheu": "dm",
    "datedotdaymontheu": "dm", "datelongmonthdayus": "md", "dateshortmonthdayus": "md",
    "dateslashmonthdayus": "md", "datedotmonthdayus": "md",
}  # fmt: skip


def format_key(fmt: str | None) -> str:
    """Normalise a format QName for lookups.

    Args:
        fmt: The ``format`` attribute of an ``ix:`` element, e.g. ``"ixt:date-monthname-day-year-en"``.

    Returns:
        The local name without hyphens, lower case (``"datemonthnamedayyearen"``); ``""`` for no format.
    """
    if not fmt:
        return ""
    return fmt.rsplit(":", 1)[-1].replace("-", "").replace("_", "").lower()


def _order(key: str) -> str | None:
    if key in _TR1_ORDER:
        return _TR1_ORDER[key]
    if not key.startswith("date"):
        return None
    rest = key[4:]
    found = sorted((rest.find(part), part[0]) for part in ("day", "month", "year") if part in rest)
    return "".join(letter for _, letter in found) or None


def _fields(text: str, order: str) -> dict[str, int] | None:
    values: list[int] = []
    for token in _TOKENS.findall(text):
        if token.isdigit():
            values.append(int(token))
        else:
            month = _MONTHS.get(token[:3].lower())
            if month is not None and (len(token) >= 3):
                values.append(month)
            # other words ("th", "of", "day") carry nothing
    if len(values) != len(order):
        return None
    fields = dict(zip(order, values, strict=True))
    if "y" in fields and fields["y"] < 100:
        fields["y"] += 2000
    return fields


def parse_date(text: str, fmt: str | None = None) -> date | None:
    """Read a date written in an ``ixt`` date format, or as ISO ``YYYY-MM-DD`` when there is no format.

    Args:
        text: The displayed text, e.g. ``"September 28, 2024"``.
        fmt: The ``format`` attribute, e.g. ``"ixt:date-monthname-day-year-en"``; ``None`` for plain XBRL.

    Returns:
        The date, or ``None`` when the text does not fit the format or the format has no day/month/year.
    """
    text = " ".join(text.split())
    key = format_key(fmt)
    if not key:
        match = _ISO_DATE.match(text)
        if match is None:
            return None
        year, month, day = (int(g) for g in match.groups())
    else:
        order = _order(key)
        if order is None or sorted(order) != ["d", "m", "y"]:
            return None
        fields = _fields(text, order)
        if fields is None:
            return None
        year, month, day = fields["y"], fields["m"], fields["d"]
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_month_day(text: str, fmt: str | None = None) -> str | None:
    """Read a month and day (a fiscal year end) into XML Schema ``--MM-DD`` form.

    Args:
        text: ``"--09-30"`` in XBRL, or displayed text such as ``"September 28"`` / ``"1/25"`` in inline XBRL.
        fmt: The ``format`` attribute (``ixt:date-monthname-day-en``, ``ixt:date-month-day``, ...) or ``None``.

    Returns:
        ``"--MM-DD"``, or ``None`` when the text cannot be read.
    """
    text = " ".join(text.split())
    key = format_key(fmt)
    month: int
    day: int
    if not key:
        match = _ISO_MONTH_DAY.match(text)
        if match is None:
            return None
        month, day = int(match.group(1)), int(match.group(2))
    else:
        order = _order(key)
        if order is None or sorted(order) != ["d", "m"]:
            return None
        fields = _fields(text, order)
        if fields is None:
            return None
        month, day = fields["m"], fields["d"]
    try:
        date(2000, month, day)  # a leap year, so --02-29 is accepted
    except ValueError:
        return None
    return f"--{month:02d}-{day:02d}"


def parse_number(
    text: str, fmt: str | None = None, scale: str | None = None, sign: str | None = None
) -> Decimal | None:
    """Read a number shown in an ``ix:nonFraction`` (or the plain text of an XBRL fact).

    Args:
        text: Displayed text, e.g. ``"15,115,823,000"`` or ``"24.4"``.
        fmt: ``ixt:num-dot-decimal`` (default), ``ixt:num-comma-decimal``, ``ixt:fixed-zero`` / ``zerodash``...
        scale: The ``scale`` attribute (power of ten), e.g. ``"9"``.
        sign: The ``sign`` attribute (``"-"`` for a negative value).

    Returns:
        The value with scale and sign applied, or ``None`` when the text is not a number.
    """
    key = format_key(fmt)
    if key in ("fixedzero", "zerodash", "numzerodash", "numdash"):
        value = Decimal(0)
    elif key == "numwordsen":
        words = words_to_number(text)
        if words is None:
            return None
        value = Decimal(words)
    elif key == "numunitdecimal":
        match = _NUM_UNIT_DECIMAL.match(" ".join(text.split()))
        if match is None:
            return None
        value = Decimal(f"{re.sub(r'[^0-9]', '', match.group(1))}.{int(match.group(2)):02d}")
    else:
        raw = "".join(text.split())
        if key in ("numcommadecimal", "numdotcomma", "numspacecomma", "numcomma"):
            raw = raw.replace(".", "").replace(" ", "").replace(",", ".")
        else:
            raw = raw.replace(",", "").replace(" ", "")
        if not key:
            raw = raw.strip()
        elif not re.fullmatch(r"[0-9.]+", raw):
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            return None
        if not value.is_finite():
            return None
    if scale:
        try:
            value = value.scaleb(int(scale))
        except ValueError:
            return None
    if sign == "-":
        value = -value
    return value


def parse_bool(text: str, fmt: str | None = None) -> bool | None:
    """Read a boolean fact (``dei:AmendmentFlag`` and the like).

    Args:
        text: ``"true"``/``"false"`` (any case), or a ballot box character for ``ixt-sec:boolballotbox``.
        fmt: ``ixt:fixed-true`` / ``ixt:fixed-false`` fix the value whatever the text says.

    Returns:
        The boolean, or ``None`` when the text is not one.
    """
    key = format_key(fmt)
    if key in ("fixedtrue", "booleantrue"):
        return True
    if key in ("fixedfalse", "booleanfalse"):
        return False
    value = text.strip()
    if key == "boolballotbox":
        if value in ("\u2612", "\u2611"):  # ☒ ☑
            return True
        if value == "\u2610":  # ☐
            return False
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    return None


# ---------------------------------------------------------------------------------------------------------------
# numbers in words, durations, ixt-sec names, and the generic transform

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12, "quadrillion": 10**15}
_NONE_WORDS = frozenset({"no", "none", "nil", "zero"})
_DASHES = re.compile(r"[\u058a\u05be\u2010-\u2015\ufe58\ufe63\uff0d-]")
_DUR_PART = re.compile(
    r"([a-z]+(?:\s+[a-z]+)*?|\d{1,4})\s+(years?|months?|days?)(?:\s*,)?(?:\s+and)?(?=\s|$)", re.IGNORECASE
)


def words_to_number(text: str) -> int | None:
    """Read an English number written in words (``ixt-sec:numwordsen``): ``"one hundred and five"`` -> 105.

    Args:
        text: The words; ``no``, ``none``, ``nil`` and ``zero`` read as 0.

    Returns:
        The integer, or ``None`` when a word is not a number word.
    """
    cleaned = _DASHES.sub(" ", text.lower()).replace(",", " ")
    words = [w for w in cleaned.split() if w != "and"]
    if not words:
        return None
    if len(words) == 1 and words[0] in _NONE_WORDS:
        return 0
    total = current = 0
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
        else:
            return None
    return total + current


def _duration(years: int | None, months: int | None, days: int | None, hours: int | None, sign: str) -> str:
    """xs:duration text the way the SEC's transforms write it (zero parts after the first are left out)."""
    if all(v is None or v == 0 for v in (years, months, days, hours)):
        parts = [(v, d) for v, d in ((years, "Y"), (months, "M"), (days, "D"), (hours, "H")) if v is not None]
        value, designator = parts[0]
        return f"P{'T' if designator == 'H' else ''}{value}{designator}"
    out = sign + "P"
    if years is not None:
        out += f"{years}Y"
    if months is not None and (months != 0 or years is None):
        out += f"{months}M"
    if days is not None and (days != 0 or (years is None and months is None)):
        out += f"{days}D"
    if hours is not None and (hours != 0 or (years is None and months is None and days is None)):
        out += f"T{hours}H"
    return out


def parse_duration(text: str, fmt: str) -> str | None:
    """Read an ``ixt-sec`` duration (``duryear``, ``durmonth``, ``durweek``, ``durday``, ``durhour``, ``durwordsen``).

    Fractions spill into the next smaller unit as the SEC's own transforms do (a month is 30.4375 days):
    ``duryear "1.2"`` -> ``P1Y2M12D``; ``durwordsen "seven years"`` -> ``P7Y``.

    Args:
        text: The displayed text.
        fmt: The format QName.

    Returns:
        The xs:duration text, or ``None`` when the text does not fit the format.
    """
    key = format_key(fmt)
    text = " ".join(text.split())
    if key == "durwordsen":
        return _duration_words(text)
    if not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", text):
        return None
    number = float(text)
    sign = "-" if number < 0 else ""
    number = abs(number)
    if key == "duryear":
        years = int(number)
        months = (number - years) * 12
        return _duration(years, int(months), int((months - int(months)) * 30.4375), None, sign)
    if key == "durmonth":
        return _duration(None, int(number), int((number - int(number)) * 30.4375), None, sign)
    if key == "durweek":
        return _duration(None, None, int(number * 7), None, sign)
    if key == "durday":
        return _duration(None, None, int(number), int((number - int(number)) * 24), sign)
    if key == "durhour":
        return _duration(None, None, None, int(number), sign)
    return None


def _duration_words(text: str) -> str | None:
    cleaned = _DASHES.sub(" ", text).strip()
    parts: dict[str, int] = {}
    pos = 0
    for match in _DUR_PART.finditer(cleaned):
        if cleaned[pos : match.start()].strip(" ,"):
            return None
        amount = match.group(1)
        value = int(amount) if amount.isdigit() else words_to_number(amount)
        if value is None:
            return None
        parts[match.group(2)[0].upper()] = value
        pos = match.end()
    if not parts or cleaned[pos:].strip(" ,"):
        return None
    out = "P" + "".join(f"{parts[d]}{d}" for d in "YMD" if parts.get(d))
    return out if out != "P" else "P0D"


_EXCHANGES = {
    "box exchange": "BOX", "cboe byx exchange": "CboeBYX", "cboe bzx exchange": "CboeBZX",
    "cboe c2 exchange": "C2", "cboe edga exchange": "CboeEDGA", "cboe edgx exchange": "CboeEDGX",
    "cboe exchange": "CBOE", "chicago stock exchange": "CHX", "investors exchange": "IEX",
    "miami international securities exchange": "MIAX", "miax pearl": "PEARL", "nasdaq bx": "BX",
    "nasdaq gemx": "GEMX", "nasdaq ise": "ISE", "nasdaq mrx": "MRX", "nasdaq phlx": "Phlx", "nyse": "NYSE",
    "new york stock exchange": "NYSE", "nyse american": "NYSEAMER", "nyse arca": "NYSEArca",
    "nyse national": "NYSENAT", "nasdaq": "NASDAQ", "nasdaq stock market": "NASDAQ",
    "nasdaq global market": "NASDAQ", "nasdaq global select market": "NASDAQ",
}  # fmt: skip
_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID",
    "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX",
    "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC", "american samoa": "AS", "samoa": "AS",
    "guam": "GU", "northern mariana islands": "MP", "puerto rico": "PR",
    "united states minor outlying islands": "UM", "virgin islands, u.s.": "VI", "alberta": "AB",
    "british columbia": "BC", "manitoba": "MB", "new brunswick": "NB", "newfoundland": "NL",
    "newfoundland and labrador": "NL", "nova scotia": "NS", "northwest territories": "NT", "nunavut": "NU",
    "ontario": "ON", "prince edward island": "PE", "quebec": "QC", "québec": "QC", "saskatchewan": "SK",
    "yukon": "YT",
}  # fmt: skip
_FILER_CATEGORY = re.compile(r"^(large\s+accelerated|accelerated|non\W+accelerated)\s+filer$", re.IGNORECASE)


def _exchange(text: str) -> str | None:
    name = " ".join(text.lower().split())
    name = re.sub(r"^the\s+", "", name)
    name = re.sub(r",?\s+(?:llc|inc\.?)$", "", name)
    return _EXCHANGES.get(name)


def _filer_category(text: str) -> str | None:
    match = _FILER_CATEGORY.match(" ".join(text.split()))
    if match is None:
        return None
    first = match.group(1).lower()
    if first.startswith("large"):
        return "Large Accelerated Filer"
    return "Accelerated Filer" if first == "accelerated" else "Non-accelerated Filer"


def _year_month(text: str, order: str) -> str | None:
    values: list[int] = []
    for token in _TOKENS.findall(text):
        if token.isdigit():
            values.append(int(token))
        elif (month := _MONTHS.get(token[:3].lower())) is not None:
            values.append(month)
    if len(values) != 2:
        return None
    fields = dict(zip(order, values, strict=True))
    year, month = fields["y"], fields["m"]
    if year < 100:
        year += 2000
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None


def _quarter_end(text: str) -> str | None:
    match = re.search(r"\b(1|first|2|second|3|third|4|fourth|last)\b\D*?(\d{4})", text, re.IGNORECASE) or None
    quarter_year = (match.group(1).lower(), int(match.group(2))) if match else None
    if quarter_year is None:
        match = re.search(r"(\d{4})\D*?\b(1|first|2|second|3|third|4|fourth|last)\b", text, re.IGNORECASE)
        if match is None:
            return None
        quarter_year = (match.group(2).lower(), int(match.group(1)))
    quarter, year = quarter_year
    month = {"1": 3, "first": 3, "2": 6, "second": 6, "3": 9, "third": 9}.get(quarter, 12)
    return date(year, month, 31 if month in (3, 12) else 30).isoformat()


def transform(text: str, fmt: str | None) -> str | None:
    """Apply an inline XBRL ``format`` to the text of an ``ix:nonNumeric`` (or any displayed value).

    Args:
        text: The displayed text (whitespace is normalised here).
        fmt: The format QName (``ixt:date-monthname-day-year-en``, ``ixt-sec:duryear``...); ``None`` or empty
            returns the text with whitespace collapsed.

    Returns:
        The XBRL value as text: dates ISO (``2024-09-28``), ``--MM-DD``, ``YYYY-MM``, ``true``/``false``,
        canonical numbers, xs:durations, exchange / state codes; ``None`` when the text does not fit the format
        or the format is not supported (the caller warns; nothing is guessed).
    """
    text = " ".join(text.split())
    key = format_key(fmt)
    if not key:
        return text
    if key in ("fixedempty", "nocontent"):
        return ""
    if key in ("fixedtrue", "booleantrue", "fixedfalse", "booleanfalse", "boolballotbox"):
        flag = parse_bool(text, fmt)
        return None if flag is None else ("true" if flag else "false")
    if key == "yesnoballotbox":
        return {"\u2612": "Yes", "\u2611": "Yes", "\u2610": "No"}.get(text)
    if key.startswith("dur"):
        return parse_duration(text, key)
    if key.startswith(("num", "fixedzero", "zerodash")):
        number = parse_number(text, fmt)
        return None if number is None else canonical_number(number)
    if key == "exchnameen":
        return _exchange(text)
    if key == "stateprovnameen":
        return _STATES.get(text.lower())
    if key == "entityfilercategoryen":
        return _filer_category(text)
    if key == "datequarterend":
        return _quarter_end(text)
    if key.startswith("date"):
        order = _order(key)
        if order is None:
            return None
        shape = "".join(sorted(order))
        if shape == "dmy":
            day = parse_date(text, fmt)
            return day.isoformat() if day else None
        if shape == "dm":
            return parse_month_day(text, fmt)
        if shape == "my":
            return _year_month(text, order)
    return None


def canonical_number(value: Decimal) -> str:
    """Plain decimal text of a number: no exponent, no trailing fractional zeros, no ``-0``.

    Args:
        value: A finite decimal.

    Returns:
        ``"383285000000"``, ``"6.13"``, ``"-1.5"``, ``"0"``.
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    return text
