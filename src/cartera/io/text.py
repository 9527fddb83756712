"""Reading delimited and whitespace-separated text files as text cells.

Encoding and delimiter are detected unless the source sets them. The product
reads UTF-8, UTF-8 with a byte-order mark and the Western European code pages,
so the encoding is chosen by rules rather than by a statistical detector:

1. A byte-order mark names the encoding.
2. Otherwise a file that decodes as strict UTF-8 is UTF-8.
3. Otherwise a file that decodes as strict cp1252 is cp1252, the Windows code
   page Excel saves CSV in for Western Europe and the Americas. cp1252 leaves
   only the bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined.
4. Otherwise the file is latin-1, which decodes every byte.

A statistical detector is not used because on short Spanish or French files it
ranks cp850, cp1250 or cp1125 first, which turn ``ç`` into ``þ``, ``ñ`` into
``ń`` and ``€`` into a Cyrillic letter.

NOTE: a file in any other code page, such as cp1250 (Central Europe) or cp850
(DOS), is read as cp1252 or latin-1 and its accented letters come out wrong.
Set ``encoding`` for such files.

pandas' C parser reads well-formed files in one vectorised pass. A row with
too many fields makes that parser fail, so such a file is read again record
by record with the ``csv`` module, which also reports the line of each record.
Only the rows that do not fit the header are then rejected.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from cartera.errors import InputError
from cartera.io.raw import (
    RawTable,
    detect_header,
    drop_blank_rows,
    numbered_columns,
    rejects_frame,
    shorten,
)

logger = logging.getLogger(__name__)

WHITESPACE = " "
"""Delimiter value meaning "runs of spaces or tabs", as in ``CDNOW_master.txt``."""

MAX_LINE_BYTES = 1 << 20
"""Maximum length of a physical line of a text file: 1 MiB, line break excluded.

A ledger row is a few hundred bytes, so a longer line means the file is not a
ledger export, such as JSON written on one line. Such a file is rejected before
it is decoded, because decoding and splitting a 250 MB line took about 4.9 GB
of memory (``benchmarks/long_line.py``).
"""

_CANDIDATES = (",", ";", "\t", "|")
_SAMPLE_CHARS = 65_536
_SAMPLE_LINES = 200
# Names a configuration may use for delimiters that are awkward to type.
_DELIMITER_NAMES = {"tab": "\t", "whitespace": WHITESPACE, "\\s+": WHITESPACE}
# Bytes of the file read at a time by check_line_lengths.
_SCAN_CHUNK_BYTES = 8 << 20
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*(?:\r\n|\n|\r))+")


def check_line_lengths(path: Path, limit: int = MAX_LINE_BYTES) -> None:
    """Raise when a physical line of ``path`` is longer than ``limit`` bytes.

    The file is read in chunks of a few MB, so memory stays bounded whatever the
    file's size, and the scan stops at the first long line. ``\\r\\n``, ``\\n``
    and ``\\r`` end a line, as in :func:`read_text`.

    Raises
    ------
    InputError
        A line is longer than ``limit``; the message names its number.
    """
    if path.stat().st_size <= limit:
        return
    offset = 0  # file offset of the chunk
    start = 0  # file offset of the first byte of the current line
    with path.open("rb") as file:
        while chunk := file.read(_SCAN_CHUNK_BYTES):
            data = np.frombuffer(chunk, dtype=np.uint8)
            breaks = np.flatnonzero((data == 0x0A) | (data == 0x0D)) + offset
            starts = np.concatenate(([start], breaks + 1))
            over = np.flatnonzero(breaks - starts[:-1] > limit)
            if len(over):
                _raise_long_line(path, int(starts[over[0]]), limit)
            start = int(starts[-1])
            offset += len(chunk)
            if offset - start > limit:
                _raise_long_line(path, start, limit)


def _raise_long_line(path: Path, start: int, limit: int) -> None:
    """Raise the error for the long line that starts at byte offset ``start``."""
    line = 1
    after_cr = False
    with path.open("rb") as file:
        while start > 0 and (chunk := file.read(min(_SCAN_CHUNK_BYTES, start))):
            start -= len(chunk)
            line += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            # A \r\n split between two chunks ends one line, not two.
            line -= after_cr and chunk.startswith(b"\n")
            after_cr = chunk.endswith(b"\r")
    raise InputError(
        f"line {line} of {path} is longer than {limit:,} bytes, so the file "
        "cannot be a ledger",
        hint="pass the ledger exported as CSV or .xlsx, with one row per line",
    )


def detect_encoding(raw: bytes, path: Path) -> str:
    """Return the codec that decodes ``raw``, the bytes of ``path``.

    The rules are listed in the module docstring: byte-order mark, UTF-8,
    cp1252, then latin-1.

    Raises
    ------
    InputError
        The bytes look binary (NUL bytes without a UTF-16 byte-order mark).
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in raw[:8192]:
        raise InputError(
            f"{path} is not a text file (it contains NUL bytes)",
            hint="export the data as CSV, .xlsx or Parquet and pass that file",
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    encoding = "cp1252" if _decodes(raw, "cp1252") else "latin-1"
    logger.info("%s is not UTF-8; reading it as %s", path, encoding)
    return encoding


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def decode(raw: bytes, encoding: str, path: Path) -> str:
    """Decode the whole file, naming the file when the codec does not fit."""
    try:
        return raw.decode(encoding)
    except LookupError as exc:
        raise InputError(
            f"unknown encoding {encoding!r} for {path}",
            hint="set encoding to a Python codec name such as utf-8 or cp1252",
        ) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not valid {encoding}: byte {raw[exc.start]:#04x} "
            f"at offset {exc.start} cannot be decoded",
            hint="remove the encoding setting so it is detected, or set the "
            "encoding the file was saved in",
        ) from exc


def detect_delimiter(text: str) -> str:
    """Return the delimiter whose field count is steadiest over the first lines.

    A candidate character is scored by the share of sample lines that have the
    most common field count, then by that count, and it must split lines into
    at least two fields. When no character does, runs of whitespace are tried.
    A file with a single column gets ``","``.
    """
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    lines = [line for line in sample.splitlines() if line.strip()][:_SAMPLE_LINES]
    if not lines:
        return ","
    best: tuple[float, int, str] | None = None
    for candidate in _CANDIDATES:
        counts = [len(r) for r in csv.reader(lines, delimiter=candidate)]
        score = _steadiness(counts)
        if score is not None and (best is None or score > best[:2]):
            best = (*score, candidate)
    if best is not None and best[0] >= 0.9:
        return best[2]
    whitespace = _steadiness([len(line.split()) for line in lines])
    if whitespace is not None and whitespace[0] >= 0.9:
        return WHITESPACE
    return best[2] if best is not None else ","


def _steadiness(counts: list[int]) -> tuple[float, int] | None:
    modal, hits = Counter(counts).most_common(1)[0]
    if modal < 2:
        return None
    return hits / len(counts), modal


def read_text(
    path: Path,
    raw: bytes,
    *,
    encoding: str | None,
    delimiter: str | None,
    header: bool | None,
) -> RawTable:
    """Read a text file into a :class:`RawTable`, every cell as a string.

    Rows whose cells are all empty are skipped and not counted. Line numbers
    are physical lines, so a quoted cell that spans lines moves the lines of
    the rows after it. ``header=None`` detects whether the first row contains
    column names (:func:`cartera.io.raw.detect_header`).
    """
    encoding = encoding or detect_encoding(raw, path)
    text = decode(raw, encoding, path)
    if not text.strip():
        raise InputError(
            f"{path} is empty", hint="pass the file that holds the data rows"
        )
    if delimiter is not None:
        delimiter = _DELIMITER_NAMES.get(delimiter, delimiter)
    delimiter = delimiter or detect_delimiter(text)

    # Blank lines before the header would otherwise be taken as the header.
    leading = _LEADING_BLANK_LINES.match(text)
    skipped = len(_LINE_BREAK.findall(leading.group(0))) if leading else 0
    text = text[leading.end() :] if leading else text
    if header is None:
        first = _first_records(text, delimiter)
        header = detect_header(first[0], len(first) > 1) if first else True
        if not header:
            logger.info("%s has no header: its first row looks like data", path)

    try:
        with warnings.catch_warnings():
            # A first row wider than the header is only a warning in pandas.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            data = _utf8_bytes(raw, text, encoding, trimmed=skipped > 0)
            frame, lines = _read_fast(data, delimiter, header)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        logger.info("%s has malformed rows (%s); reading it row by row", path, exc)
        frame, lines, malformed = _read_records(path, text, delimiter, header)
    else:
        frame, lines = drop_blank_rows(frame, lines)
        frame, lines, malformed = _reject_short_rows(
            path, text, frame, lines, delimiter
        )
    malformed["line"] += skipped
    return RawTable(frame, lines + skipped, malformed, encoding, delimiter, header)


def _first_records(text: str, delimiter: str) -> list[list[str]]:
    """Return the first two records of ``text`` that have a non-empty cell.

    Only the first characters are split, so a large file is not copied.
    """
    sample = text[:_SAMPLE_CHARS]
    if delimiter == WHITESPACE:
        records: Iterable[list[str]] = (line.split() for line in io.StringIO(sample))
    else:
        records = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    found: list[list[str]] = []
    try:
        for record in records:
            if any(cell.strip() for cell in record):
                found.append(record)
            if len(found) == 2:
                break
    except csv.Error:
        # The full read reports the quoting error with its line.
        pass
    return found


def _utf8_bytes(raw: bytes, text: str, encoding: str, trimmed: bool) -> bytes:
    """Return ``text`` as UTF-8, reusing the file's bytes when they are the same.

    An untrimmed UTF-8 file is passed to pandas as it is, without a second copy.
    """
    if encoding == "utf-8" and not trimmed:
        return raw
    return text.encode("utf-8")


def _read_fast(
    data: bytes, delimiter: str, header: bool
) -> tuple[pd.DataFrame, np.ndarray]:
    options: dict[str, object] = {
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "skip_blank_lines": False,
        "index_col": False,
        "header": 0 if header else None,
    }
    if delimiter == WHITESPACE:
        options["sep"] = r"\s+"
    else:
        options["sep"] = delimiter
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8", **options)  # type: ignore[call-overload]
    if not header:
        frame.columns = numbered_columns(len(frame.columns))
    frame.columns = [str(c).strip() for c in frame.columns]
    first = 2 if header else 1
    first += sum(str(c).count("\n") for c in frame.columns) if header else 0
    lines = np.arange(first, first + len(frame), dtype="int64")
    spans = _embedded_newlines(frame)
    if spans is not None:
        lines = lines + np.concatenate(([0], np.cumsum(spans)[:-1]))
    return frame, lines


def _reject_short_rows(
    path: Path, text: str, frame: pd.DataFrame, lines: np.ndarray, delimiter: str
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Reject rows with fewer fields than the header, which pandas pads with "".

    Only rows whose last cell is empty can be short, so only their lines are
    split again. A file without quote characters is counted in one vectorised
    pass, and otherwise each such line is split by the ``csv`` module. Rows with
    a quoted cell spanning lines are not checked.
    """
    none = rejects_frame(path, np.empty(0, "int64"), "", "", "")
    width = len(frame.columns)
    if frame.empty or width < 2:
        return frame, lines, none
    candidates = (frame.iloc[:, -1] == "").to_numpy()
    spans = _embedded_newlines(frame)
    if spans is not None:
        candidates = candidates & (spans == 0)
    rows = np.flatnonzero(candidates)
    if len(rows) == 0:
        return frame, lines, none

    physical = np.array(_LINE_BREAK.split(text), dtype=object)
    texts = pd.Series(physical[lines[rows] - 1], dtype="str")
    if delimiter == WHITESPACE:
        counts = texts.str.count(r"\S+").to_numpy()
    elif '"' not in text:
        counts = texts.str.count(re.escape(delimiter)).to_numpy() + 1
    else:
        counts = np.array(
            [len(next(csv.reader([t], delimiter=delimiter), [])) for t in texts]
        )
    short = counts < width
    if not short.any():
        return frame, lines, none

    bad = rows[short]
    reasons = [f"expected {width} fields, found {n}" for n in counts[short]]
    values = [shorten(t) for t in texts[short]]
    malformed = rejects_frame(path, lines[bad], "", values, reasons)
    keep = np.ones(len(frame), dtype=bool)
    keep[bad] = False
    return frame.loc[keep].reset_index(drop=True), lines[keep], malformed


def _embedded_newlines(frame: pd.DataFrame) -> np.ndarray | None:
    """Return the newlines inside the quoted cells of each row, or ``None``."""
    counts = None
    for name in frame.columns:
        column = frame[name]
        if column.str.contains("\n", regex=False).any():
            found = column.str.count("\n").to_numpy(dtype="int64")
            counts = found if counts is None else counts + found
    return counts


def _read_records(
    path: Path, text: str, delimiter: str, header: bool
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Read a malformed file record by record; reject rows of the wrong width.

    This loop runs only after the vectorised parser has failed. A row with one
    trailing empty field more than the header (a stray delimiter at the end of
    the line) is accepted without that field.
    """
    records: list[list[str]] = []
    starts: list[int] = []
    bad_lines: list[int] = []
    bad_values: list[str] = []
    bad_reasons: list[str] = []
    width: int | None = None
    names: list[str] = []
    for start, record in _numbered_records(path, text, delimiter):
        if not any(cell.strip() for cell in record):
            continue
        if width is None:
            width = len(record)
            if header:
                names = [str(c).strip() for c in record]
                continue
            names = numbered_columns(width)
        if len(record) == width + 1 and record[-1] == "":
            record = record[:-1]
        if len(record) != width:
            bad_lines.append(start)
            bad_values.append(shorten(delimiter.join(record)))
            bad_reasons.append(f"expected {width} fields, found {len(record)}")
            continue
        records.append(record)
        starts.append(start)
    if bad_lines and not records:
        raise InputError(
            f"no row of {path} has the {width} fields of its first line, for "
            f"example line {bad_lines[0]}: {bad_reasons[0]}",
            hint="check the delimiter (set delimiter for this input) and whether "
            "the file has a header (set header = false if not)",
        )
    frame = pd.DataFrame(records, columns=names, dtype="str")
    malformed = rejects_frame(path, np.array(bad_lines), "", bad_values, bad_reasons)
    return frame, np.array(starts, dtype="int64"), malformed


def _numbered_records(
    path: Path, text: str, delimiter: str
) -> list[tuple[int, list[str]]]:
    """Split ``text`` into records, each with the physical line it starts on."""
    if delimiter == WHITESPACE:
        lines = _LINE_BREAK.split(text)
        return [(i, line.split()) for i, line in enumerate(lines, 1)]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = []
    start = 1
    try:
        for record in reader:
            numbered.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(
            f"{path} cannot be split into fields at line {start}: {exc}",
            hint="check the quoting on that line, or set delimiter for this input",
        ) from exc
    return numbered
