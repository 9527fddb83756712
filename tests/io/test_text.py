"""Text files: encodings, delimiters, line numbers and files that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartera.config import TableSource
from cartera.errors import InputError
from cartera.io import read_table
from cartera.io.reader import read_raw
from cartera.io.text import (
    MAX_LINE_BYTES,
    WHITESPACE,
    check_line_lengths,
    detect_delimiter,
    detect_encoding,
)

SALES = "account_id{d}date{d}amount\nA{d}2025-01-02{d}1.50\nB{d}2025-01-03{d}2.00\n"


@pytest.mark.parametrize(
    ("delimiter", "expected"),
    [
        pytest.param(",", ",", id="comma"),
        pytest.param(";", ";", id="semicolon"),
        pytest.param("\t", "\t", id="tab"),
        pytest.param("|", "|", id="pipe"),
        pytest.param("   ", WHITESPACE, id="spaces"),
    ],
)
def test_delimiter_detected(tmp_path: Path, delimiter: str, expected: str) -> None:
    assert detect_delimiter(SALES.format(d=delimiter)) == expected
    path = tmp_path / "sales.txt"
    path.write_text(SALES.format(d=delimiter), encoding="utf-8")
    result = read_table(path, "transactions")
    assert result.detected.delimiter == expected
    assert result.frame["amount"].tolist() == [1.5, 2.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('a;b\n"1,5";2\n"3,5";4\n', ";", id="decimal-comma-quoted"),
        pytest.param("a,b\n1;2,3\n4;5,6\n", ",", id="comma-steadier"),
        pytest.param("name\nAlpha\nBeta\n", ",", id="one-column"),
        pytest.param(" 001 19970101 1 11.77\n 002 19970102 2 9.00\n", " ", id="cdnow"),
    ],
)
def test_delimiter_choice(text: str, expected: str) -> None:
    assert detect_delimiter(text) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Núñez".encode(), "utf-8", id="utf-8"),
        pytest.param(b"\xef\xbb\xbfabc", "utf-8-sig", id="utf-8-bom"),
        pytest.param("Núñez".encode("utf-16"), "utf-16", id="utf-16-bom"),
        pytest.param("Façade;José Peña\n".encode("cp1252"), "cp1252", id="cp1252"),
        pytest.param("Importe 12€\n".encode("cp1252"), "cp1252", id="euro-sign"),
    ],
)
def test_encoding_detected(raw: bytes, expected: str) -> None:
    assert detect_encoding(raw, Path("f.csv")) == expected


# A headerless export from Excel in cp1252. A statistical detector read it as
# cp850 (Façade became Faþade), and as cp1250 without the HYPERLINK row.
EXCEL_CP1252_ROWS = [
    "A1;Façade SARL;5000,00",
    "A2;Beta SA;1200,50",
    "A3;Gamma SL;300,00",
    "A4;Delta;75,25",
    "A5;Epsilon;10,00",
    'A6;=HYPERLINK("http://x","y");1000,00',
]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(EXCEL_CP1252_ROWS, id="six-rows"),
        pytest.param(EXCEL_CP1252_ROWS[:-1], id="without-hyperlink"),
    ],
)
def test_excel_cp1252_file_read_exactly(tmp_path: Path, rows: list[str]) -> None:
    path = tmp_path / "clientes.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="cp1252", newline="")
    assert detect_encoding(path.read_bytes(), path) == "cp1252"
    raw = read_raw(path, TableSource(header=False))
    assert raw.encoding == "cp1252"
    assert raw.frame["column_2"].tolist() == [r.split(";")[1] for r in rows]
    assert raw.frame["column_2"].iloc[0] == "Façade SARL"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("cliente;importe\nJosé;10\n", id="e-acute"),
        pytest.param("cliente;importe\nPeña;10\n", id="n-tilde"),
        pytest.param("Kunde;Betrag\nMüller;10\n", id="u-umlaut"),
        pytest.param("cliente;importe\nA;10 €\n", id="euro"),
        pytest.param("client;montant\nFaçade;10\n", id="c-cedilla"),
        pytest.param("cliente;importe\nIbáñez;1.200,00 €\n", id="n-tilde-euro"),
        pytest.param("nom;ville\nFrançois;Zürich\nRenée;Besançon\n", id="french"),
        pytest.param("a;b;c;d;e\né;ñ;ü;€;ç\n", id="all-five"),
        pytest.param("nombre\nÑoño Müller €5\n", id="one-column"),
    ],
)
def test_short_cp1252_files_read_exactly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "short.csv"
    path.write_text(text, encoding="cp1252", newline="")
    raw = read_raw(path, TableSource())
    assert raw.encoding == "cp1252"
    header, *rows = text.splitlines()
    assert list(raw.frame.columns) == header.split(";")
    assert raw.frame.to_numpy().tolist() == [r.split(";") for r in rows]


@pytest.mark.parametrize(
    "undefined",
    [
        pytest.param(b"\x81", id="0x81"),
        pytest.param(b"\x8d", id="0x8d"),
        pytest.param(b"\x8f", id="0x8f"),
        pytest.param(b"\x90", id="0x90"),
        pytest.param(b"\x9d", id="0x9d"),
    ],
)
def test_bytes_undefined_in_cp1252_read_as_latin1(undefined: bytes) -> None:
    raw = "nombre\nPeña ".encode("cp1252") + undefined + b"\n"
    assert detect_encoding(raw, Path("f.csv")) == "latin-1"


def test_other_code_page_set_in_config(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    text = "account_id;date;amount\nŁódź;2025-01-02;1,5\n"
    path.write_bytes(text.encode("cp1250"))
    source = TableSource(encoding="cp1250")
    result = read_table(path, "transactions", source)
    assert result.detected.encoding == "cp1250"
    assert result.frame["account_id"].tolist() == ["Łódź"]


def test_configured_encoding_and_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes("account_id;date;amount\nPeña;2025-01-02;1,5\n".encode("latin-1"))
    source = TableSource(encoding="latin-1", delimiter=";", decimal=",")
    result = read_table(path, "transactions", source)
    assert result.frame["account_id"].tolist() == ["Peña"]
    assert result.frame["amount"].tolist() == [1.5]


def test_utf16_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes(SALES.format(d="\t").replace("A", "Á").encode("utf-16"))
    result = read_table(path, "transactions")
    assert result.frame["account_id"].tolist() == ["Á", "B"]


@pytest.mark.parametrize(
    ("text", "header"),
    [
        pytest.param("1001,2025-01-02,1.50\n1002,2025-01-03,2\n", False, id="csv"),
        pytest.param("0001;19970101;2;29,33\n0002;19970118;1;9\n", False, id="ids"),
        pytest.param(
            '7,02/01/2025 10:30,"1,200.50"\n8,03/01/2025 11:00,5\n',
            False,
            id="datetime-and-quoted-amount",
        ),
        pytest.param(
            " 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2   29.73\n",
            False,
            id="whitespace",
        ),
        pytest.param(
            "1,2025-01-02,-5\n\n2,2025-01-03,(7.00)\n", False, id="blank-line"
        ),
        pytest.param(
            "ACME,1997-01-01,29.33\nACME,1997-01-12,10.00\n", False, id="text-ids"
        ),
        pytest.param(
            "C-1,20250103,12.50\nC-2,20250104,8.00\n", False, id="compact-date"
        ),
        pytest.param(
            "C-0042;01/02/2025;EUR;7,50\nC-0043;02/02/2025;EUR;9\n",
            False,
            id="codes-and-day-first-date",
        ),
        pytest.param("account_id,date,amount\nA,2025-01-02,1\n", True, id="all-text"),
        pytest.param(
            "account,2025-01-31,2025-02-28\nA,1,2\n", False, id="dated-columns"
        ),
        pytest.param("Customer name,2025-01-31\nA,1\n", True, id="name-beside-date"),
        pytest.param("account,2024-01,2024-02\nA,1,2\n", True, id="month-names"),
        pytest.param("account,2024,2025\n7,1,2\n", True, id="one-word"),
        pytest.param(",2024,2025\n7,1,2\n", True, id="unnamed-first"),
        pytest.param("1001,2025-01-02,1.50\n", True, id="single-line"),
    ],
)
def test_header_detected(tmp_path: Path, text: str, header: bool) -> None:
    path = tmp_path / "sales.txt"
    path.write_text(text, encoding="utf-8")
    raw = read_raw(path, TableSource())
    lines = [line for line in text.splitlines() if line.strip()]
    assert raw.header is header
    if header:
        assert raw.rows_read == len(lines) - 1
        assert raw.frame.columns[-1] != f"column_{len(raw.frame.columns)}"
    else:
        assert list(raw.frame.columns[:2]) == ["column_1", "column_2"]
        assert raw.lines[0] == 1
        assert raw.rows_read == len(lines)


def test_headerless_file_read_as_table(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("1001,2025-01-02,1.50\n1002,2025-01-03,x\n1001,2025-01-04,2\n")
    source = TableSource(
        columns={"account_id": "column_1", "date": "column_2", "amount": "column_3"}
    )
    result = read_table(path, "transactions", source)
    assert result.detected.header is False
    assert result.frame["account_id"].tolist() == ["1001", "1001"]
    assert result.frame["amount"].tolist() == [1.5, 2.0]
    assert result.rejects["line"].tolist() == [2]


def test_configured_header_wins(tmp_path: Path) -> None:
    path = tmp_path / "years.csv"
    path.write_text("2024,2025\n1,2\n3,4\n")
    raw = read_raw(path, TableSource(header=True))
    assert raw.header is True
    assert list(raw.frame.columns) == ["2024", "2025"]
    assert raw.frame["2025"].tolist() == ["2", "4"]


def test_no_header_names_columns(tmp_path: Path) -> None:
    path = tmp_path / "sales.txt"
    path.write_text("A 20250102 1.50\nB 20250103 2.00\n", encoding="utf-8")
    source = TableSource(
        header=False,
        columns={"account_id": "column_1", "date": "column_2", "amount": "column_3"},
    )
    result = read_table(path, "transactions", source)
    assert result.frame["amount"].tolist() == [1.5, 2.0]
    assert result.rejects.empty


def test_wide_rows_rejected_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        "account_id,date,amount\n"
        "A,2025-01-02,1.00\n"
        "B,2025-01-03,2.00,extra\n"
        '"C\nD",2025-01-04,3.00\n'
        "E,2025-01-05,4.00\n",
        encoding="utf-8",
    )
    result = read_table(path, "transactions")
    assert result.frame["account_id"].tolist() == ["A", "C\nD", "E"]
    assert result.rejects["line"].tolist() == [3]
    assert result.rejects["reason"].tolist() == ["expected 3 fields, found 4"]
    assert result.rows_read == 4


def test_wide_first_row_rejected(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        "account_id,date,amount\nA,2025-01-02,1.00,x\nB,2025-01-03,2.00\n",
        encoding="utf-8",
    )
    result = read_table(path, "transactions")
    assert result.frame["account_id"].tolist() == ["B"]
    assert result.rejects["line"].tolist() == [2]


def test_trailing_delimiter_on_every_line(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        "account_id,date,amount,\nA,2025-01-02,1.00,\nB,2025-01-03,2.00,\n",
        encoding="utf-8",
    )
    result = read_table(path, "transactions")
    assert result.frame["account_id"].tolist() == ["A", "B"]
    assert result.rejects.empty


def test_lines_after_multiline_cell(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        "account_id,date,amount,note\n"
        'A,2025-01-02,1.00,"first\nsecond\nthird"\n'
        "\n"
        "B,2025-01-03,bad,\n",
        encoding="utf-8",
    )
    result = read_table(path, "transactions")
    assert result.rejects["line"].tolist() == [6]
    assert result.frame["note"].tolist() == ["first\nsecond\nthird"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "is empty", id="empty"),
        pytest.param(b"  \r\n\r\n", "is empty", id="blank"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file", id="binary"
        ),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", r"\.xls", id="old-excel"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        read_table(path, "transactions")
    assert str(path) in caught.value.message
    assert caught.value.hint


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "nope.csv", "transactions")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        read_table(tmp_path, "transactions")


def test_wrong_configured_encoding(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes("account_id,date,amount\nPeña,2025-01-02,1\n".encode("cp1252"))
    with pytest.raises(InputError, match="is not valid utf-8"):
        read_table(path, "transactions", TableSource(encoding="utf-8"))


def test_header_only_file(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("account_id,date,amount\n", encoding="utf-8")
    result = read_table(path, "transactions")
    assert result.rows_read == 0
    assert result.frame.empty
    assert list(result.frame.columns) == ["account_id", "date", "amount"]


def test_delimiter_only_rows_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "account_id;date;amount\r\nA;2025-01-02;1\r\n;;\r\n;;\r\nB;2025-01-03;2\r\n"
    )
    result = read_table(path, "transactions")
    assert result.rows_read == 2
    assert result.frame["account_id"].tolist() == ["A", "B"]


def test_header_names_stripped(tmp_path: Path) -> None:
    path = tmp_path / "padded.csv"
    path.write_text(" cliente , fecha ,importe \nA,2025-01-02,1\n")
    source = TableSource(columns={"account_id": "cliente"})
    result = read_table(path, "transactions", source)
    assert result.detected.mapping == {
        "account_id": "cliente",
        "date": "fecha",
        "amount": "importe",
    }


def test_blank_lines_before_header(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("\n  \naccount_id,date,amount\nA,2025-01-02,1\nB,2025-01-03,x\n")
    result = read_table(path, "transactions")
    assert result.frame["account_id"].tolist() == ["A"]
    assert result.rejects["line"].tolist() == [5]


def test_blank_lines_before_malformed_row(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("\naccount_id,date,amount\nA,2025-01-02,1\nB,2025-01-03,2,3\n")
    result = read_table(path, "transactions")
    assert result.rejects["line"].tolist() == [4]


def test_oversized_field_in_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    huge = "x" * 200_000
    path.write_text(f"account_id,date,amount\nA,2025-01-02,1,2\nB,2025-01-03,{huge}\n")
    with pytest.raises(InputError, match="cannot be split into fields at line 3"):
        read_table(path, "transactions")


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        pytest.param(
            "account_id,date,amount,currency\nA,2025-01-02,1\nB,2025-01-03,2,\n",
            None,
            id="unquoted",
        ),
        pytest.param(
            'account_id,date,amount,currency\n"A",2025-01-02,1\nB,2025-01-03,2,\n',
            None,
            id="quoted",
        ),
        pytest.param(
            "account_id date amount currency\nA 2025-01-02 1\nB 2025-01-03 2 EUR\n",
            "whitespace",
            id="whitespace",
        ),
    ],
)
def test_short_row_rejected(tmp_path: Path, text: str, delimiter: str | None) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(text)
    result = read_table(path, "transactions", TableSource(delimiter=delimiter))
    assert result.rejects["line"].tolist() == [2]
    assert result.rejects["reason"].tolist() == ["expected 4 fields, found 3"]
    assert result.frame["account_id"].tolist() == ["B"]
    assert result.rows_read == 2


def test_short_row_after_multiline_cell(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(
        'account_id,date,amount,note\nA,2025-01-02,1,"two\nlines"\nB,2025-01-03\n'
    )
    result = read_table(path, "transactions")
    assert result.rejects["line"].tolist() == [4]
    assert result.rejects["reason"].tolist() == ["expected 4 fields, found 2"]


@pytest.mark.parametrize(
    ("name", "written"),
    [
        pytest.param("tab", "\t", id="tab"),
        pytest.param("whitespace", "  ", id="whitespace"),
        pytest.param("\\s+", " ", id="regex"),
    ],
)
def test_delimiter_names(tmp_path: Path, name: str, written: str) -> None:
    path = tmp_path / "sales.txt"
    path.write_text(SALES.format(d=written))
    result = read_table(path, "transactions", TableSource(delimiter=name))
    assert result.frame["amount"].tolist() == [1.5, 2.0]


def test_every_row_wider_than_header(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("account_id,amount\nA,2025-01-02,1\nB,2025-01-03,2\n")
    with pytest.raises(InputError, match=r"no row of .* has the 2 fields") as caught:
        read_table(path, "transactions")
    assert "line 2: expected 2 fields, found 3" in caught.value.message


@pytest.mark.parametrize("chunk_bytes", [3, 4, 7, 1 << 20], ids=lambda n: f"chunk{n}")
@pytest.mark.parametrize(
    ("content", "line"),
    [
        pytest.param(b"a\nbb\n" + b"x" * 11 + b"\n", 3, id="lf"),
        pytest.param(b"ab\r\ncd\r\n" + b"x" * 11, 3, id="crlf-last-line"),
        pytest.param(b"a\rb\r" + b"x" * 11 + b"\r", 3, id="cr"),
        pytest.param(b"x" * 11 + b"\nshort\n", 1, id="first-line"),
        pytest.param(b"a\r\n\r\n\n" + b"x" * 11, 4, id="blank-lines"),
        pytest.param(b"\r\n".join([b"y" * 10] * 4), None, id="at-limit"),
    ],
)
def test_line_length_limit(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    line: int | None,
    chunk_bytes: int,
) -> None:
    monkeypatch.setattr("cartera.io.text._SCAN_CHUNK_BYTES", chunk_bytes)
    path = tmp_path / "ledger.csv"
    path.write_bytes(content)
    if line is None:
        check_line_lengths(path, limit=10)
        return
    with pytest.raises(InputError, match=rf"^line {line} of .* longer than 10 bytes"):
        check_line_lengths(path, limit=10)


def test_long_line_stops_read_table(tmp_path: Path) -> None:
    path = tmp_path / "invoices.csv"
    huge = "A" * (MAX_LINE_BYTES + 1)
    path.write_text(
        "invoice_id,account_id,issue_date,amount\n"
        "F1,C1,2025-01-02,1.00\n"
        f"F2,{huge},2025-01-02,1.00\n"
    )
    with pytest.raises(InputError, match=r"^line 3 of .* longer than 1,048,576 bytes"):
        read_table(path, "invoices")
