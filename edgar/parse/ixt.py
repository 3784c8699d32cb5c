"""Inline XBRL transformation rules (``ixt:`` / ``ixt-sec:`` formats) needed for cover-page facts.

Covers the date, month-day, number and boolean formats of the XBRL Transformation Registries 1-5 and the SEC's
``ixt-sec`` registry that cover pages use. Format names are compared without prefix, hyphens and case, so
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
    else:
        raw = "".join(text.split())
        if key in ("numcommadecimal", "numdotcomma", "numspacecomma", "numcomma", "numunitdecimal"):
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
