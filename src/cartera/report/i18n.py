"""Report text and number and date formats in English and Spanish.

Text lives in ``cartera/locale/<lang>.toml``. Numbers and dates follow each
language's usual convention:

1. English groups thousands with ``,`` and marks decimals with ``.``:
   ``12,345.67``, ``12.5%``, dates ``Dec 31, 2025``.
2. Spanish groups thousands with ``.`` and marks decimals with ``,``:
   ``12.345,67``. Four-digit numbers are grouped too (``1.234,56``), as is usual
   in columns of figures, so amounts in a column line up. A percent sign follows
   a no-break space (``12,5 %``), and dates read ``31 dic 2025``.

These few rules are written by hand, not taken from Babel, so the report needs no
locale database at run time.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Literal

from cartera.errors import ConfigError

Lang = Literal["en", "es"]
LANGUAGES: tuple[Lang, ...] = ("en", "es")

# Abbreviated month names; the Spanish abbreviation of September is "sept".
_MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ),
    "es": (
        "ene",
        "feb",
        "mar",
        "abr",
        "may",
        "jun",
        "jul",
        "ago",
        "sept",
        "oct",
        "nov",
        "dic",
    ),
}
_NO_BREAK_SPACE = "\u00a0"


def check_lang(lang: str) -> Lang:
    """Return ``lang`` typed as :data:`Lang` when cartera has text in that language.

    Raises
    ------
    ConfigError
        ``lang`` is not one of :data:`LANGUAGES`.
    """
    for known in LANGUAGES:
        if lang == known:
            return known
    raise ConfigError(
        f"report language {lang!r} is not supported",
        hint=f"use one of: {', '.join(LANGUAGES)}",
    )


@cache
def _messages(lang: Lang) -> dict[str, str]:
    source = resources.files("cartera").joinpath("locale", f"{lang}.toml")
    tables = tomllib.loads(source.read_text(encoding="utf-8"))
    return {
        f"{section}.{key}": text
        for section, entries in tables.items()
        for key, text in entries.items()
    }


def message_keys(lang: str) -> set[str]:
    """Return the keys of every text in ``lang``, as ``section.key``."""
    return set(_messages(check_lang(lang)))


def translate(key: str, lang: str, **values: object) -> str:
    """Return the text ``key`` (``section.key``) in ``lang``, filled with ``values``.

    Raises
    ------
    KeyError
        ``key`` is missing from the language file; a programming error.
    """
    text = _messages(check_lang(lang))[key]
    return text.format(**values) if values else text


def column_label(name: str, lang: str) -> str:
    """Return the heading of column ``name``, or ``name`` itself when it has none.

    Ageing columns such as ``aging_31_60`` get the label of their bucket.
    """
    if name.startswith("aging_"):
        return bucket_label(name.removeprefix("aging_"), lang)
    messages = _messages(check_lang(lang))
    return messages.get(f"column.{name}", name)


def column_value_label(column: str, value: object, lang: str) -> str:
    """Return the text of a coded ``value`` of ``column``, such as ``chance.pay``.

    A value without text in ``lang`` is returned as ``str(value)``.
    """
    messages = _messages(check_lang(lang))
    return messages.get(f"{column}.{value}", str(value))


def bucket_label(bucket: str, lang: str) -> str:
    """Return the label of an ageing bucket such as ``current``, ``1_30``, ``over_90``.

    Names follow :meth:`cartera.config.AgeingConfig.bucket_names`; any other name
    is returned unchanged.
    """
    if bucket == "current":
        return translate("bucket.current", lang)
    parts = bucket.split("_")
    if len(parts) == 2 and parts[0] == "over" and parts[1].isdigit():
        return translate("bucket.over", lang, low=parts[1])
    if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
        return translate("bucket.range", lang, low=parts[0], high=parts[1])
    return bucket


def tier_label(tier: object, lang: str) -> str:
    """Return ``Tier 1`` (``Nivel 1``) for a tier number, ``No tier`` when missing."""
    if is_missing(tier):
        return translate("tier.none", lang)
    if isinstance(tier, int | float | Decimal) and float(tier).is_integer():
        tier = int(tier)
    return translate("tier.label", lang, tier=tier)


def is_missing(value: object) -> bool:
    """Return whether ``value`` is ``None``, NaN, ``pd.NA`` or ``NaT``."""
    if value is None:
        return True
    # pandas' missing markers, recognised without importing pandas.
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, float | Decimal):
        return value != value
    # Other NaN scalars (numpy.float32) are not equal to themselves either;
    # arrays and objects without a truth value are not missing.
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _group(digits: str, separator: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.append(digits[-3:])
        digits = digits[:-3]
    groups.append(digits)
    return separator.join(reversed(groups))


def format_number(value: Any, lang: str, decimals: int = 2) -> str:
    """Format a number with ``decimals`` places in the convention of ``lang``.

    Missing values give a dash. Rounding is Python's float formatting, which
    rounds the binary value, so ``2.675`` gives ``2.67``.
    """
    lang = check_lang(lang)
    if is_missing(value):
        return translate("report.missing", lang)
    text = f"{abs(float(value)):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    negative = float(value) < 0 and float(text) != 0
    if lang == "es":
        whole = _group(whole, ".")
        number = f"{whole},{fraction}" if fraction else whole
    else:
        whole = _group(whole, ",")
        number = f"{whole}.{fraction}" if fraction else whole
    return f"-{number}" if negative else number


def format_integer(value: Any, lang: str) -> str:
    """Format a whole number with the grouping of ``lang``."""
    return format_number(value, lang, decimals=0)


def format_percent(value: Any, lang: str, decimals: int = 1) -> str:
    """Format a share (``0.125``) as a percentage (``12.5%``, ``12,5 %``)."""
    lang = check_lang(lang)
    if is_missing(value):
        return translate("report.missing", lang)
    number = format_number(float(value) * 100, lang, decimals)
    return f"{number}{_NO_BREAK_SPACE}%" if lang == "es" else f"{number}%"


def format_date(value: Any, lang: str) -> str:
    """Format a date as CLDR's medium date: ``Dec 31, 2025`` or ``31 dic 2025``.

    Accepts :class:`datetime.date`, :class:`datetime.datetime` and pandas
    timestamps; an ISO ``YYYY-MM-DD`` string is parsed first.
    """
    lang = check_lang(lang)
    if is_missing(value):
        return translate("report.missing", lang)
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise TypeError(f"cannot format {value!r} as a date")
    month = _MONTHS[lang][value.month - 1]
    if lang == "es":
        return f"{value.day} {month} {value.year}"
    return f"{month} {value.day}, {value.year}"
