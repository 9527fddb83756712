"""read_table on small files written by the tests, one case from the field each."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cartera.config import TableSource
from cartera.errors import DataQualityWarning, InputError
from cartera.io import REJECT_COLUMNS, read_table, sniff
from cartera.io.raw import MAX_CELL_CHARS, MAX_SHOWN_CHARS


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_excel_cp1252_semicolon_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ledger.csv",
        "Factura;Cliente;Nombre;Fecha;Vencimiento;Importe\r\n"
        "F-1;C1;Façade SARL;15/11/2025;15/12/2025;1200,00\r\n"
        "F-2;C2;José Peña;20/11/2025;20/12/2025;-80,00\r\n",
        encoding="cp1252",
    )
    result = read_table(path, "invoices")
    assert result.detected.encoding == "cp1252"
    assert result.detected.delimiter == ";"
    assert result.detected.decimal == ","
    assert result.frame["Nombre"].tolist() == ["Façade SARL", "José Peña"]
    assert result.frame["amount"].tolist() == [1200.00, -80.00]
    assert result.rejects.empty


def test_quoted_decimal_comma_and_code(tmp_path: Path) -> None:
    path = write(
        tmp_path / "lines.csv",
        "account_id,date,amount,code\n"
        'A1,2025-01-02,"-9,1",3.03.001.00514\n'
        'A2,2025-01-03,"1234,50",3.03.001.00515\n',
    )
    result = read_table(path, "transactions")
    assert result.detected.decimal == ","
    assert result.frame["amount"].tolist() == [-9.1, 1234.5]
    assert result.frame["code"].tolist() == ["3.03.001.00514", "3.03.001.00515"]


def test_account_ids_keep_leading_zeros(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sales.csv",
        "account_id,date,amount\n"
        "0010,2025-01-02,100.00\n"
        "10,2025-01-03,50.00\n"
        "007,2025-01-04,20.00\n"
        "0010,2025-01-05,25.50\n",
    )
    frame = read_table(path, "transactions").frame
    totals = frame.groupby("account_id")["amount"].sum().to_dict()
    assert totals == {"0010": 125.50, "10": 50.00, "007": 20.00}


def test_timestamps_keep_calendar_date(tmp_path: Path) -> None:
    path = write(
        tmp_path / "invoices.csv",
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "I1,A,2025-11-20T08:00:00,2025-12-20T23:30:00+01:00,300.00\n"
        "I2,A,2025-11-21T09:15:00,2026-01-15T00:30:00-05:00,500.00\n"
        "I3,A,2025-11-22T10:00:00,2025-12-31T23:59:59Z,10.00\n"
        "I4,A,2025-11-23T11:00:00,2025-12-01 00:00:00,20.00\n",
    )
    result = read_table(path, "invoices")
    expected = pd.to_datetime(["2025-12-20", "2026-01-15", "2025-12-31", "2025-12-01"])
    assert result.frame["due_date"].tolist() == expected.tolist()
    assert result.detected.date_formats["due_date"] == "%Y-%m-%d"
    assert str(result.frame["due_date"].dtype) == "datetime64[s]"


def test_mixed_date_formats_raise(tmp_path: Path) -> None:
    path = write(
        tmp_path / "invoices.csv",
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "I1,A,2025-11-20,2025-12-20,1.00\n"
        "I2,A,2025-11-21,2025-12-21,1.00\n"
        "I3,A,2025-11-22,22/12/2025,1.00\n",
    )
    with pytest.raises(InputError) as caught:
        read_table(path, "invoices")
    message = str(caught.value)
    assert "'due_date'" in message
    assert "line 2" in message
    assert "'22/12/2025' on line 4" in message
    assert "invoices.csv" in message


def test_ambiguous_order_proven_by_sibling(tmp_path: Path) -> None:
    # Every due date fits both orders; issue date 25/11/2025 proves day-first.
    path = write(
        tmp_path / "invoices.csv",
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "I1,A,25/11/2025,05/12/2025,1.00\n"
        "I2,A,02/11/2025,03/12/2025,1.00\n",
    )
    result = read_table(path, "invoices")
    assert result.detected.date_formats["due_date"] == "%d/%m/%Y"
    assert result.frame["due_date"].tolist() == list(
        pd.to_datetime(["2025-12-05", "2025-12-03"])
    )


def test_ambiguous_order_proven_by_unmapped_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sales.csv",
        "account_id,date,amount,first_order\n"
        "A,01/02/2025,1.00,1/31/2024\n"
        "B,03/04/2025,1.00,2/1/2024\n",
    )
    result = read_table(path, "transactions")
    assert result.detected.date_formats["date"] == "%m/%d/%Y"


def test_ambiguous_order_without_proof_raises(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sales.csv",
        "account_id,date,amount\nA,01/02/2025,1.00\nB,03/04/2025,2.00\n",
    )
    with pytest.raises(InputError) as caught:
        read_table(path, "transactions")
    assert "day-first and month-first" in caught.value.message
    assert caught.value.hint is not None
    assert 'date = "%d/%m/%Y" or "%m/%d/%Y"' in caught.value.hint


def test_configured_format_resolves_ambiguity(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sales.csv",
        "account_id,date,amount\nA,01/02/2025,1.00\nB,03/04/2025,2.00\n",
    )
    source = TableSource(date_formats={"date": "%d/%m/%Y"})
    frame = read_table(path, "transactions", source).frame
    assert frame["date"].tolist() == list(pd.to_datetime(["2025-02-01", "2025-04-03"]))


def test_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(
        b"\xef\xbb\xbfaccount_id,date,amount\nN\xc3\xba\xc3\xb1ez,2025-01-02,5.00\n"
    )
    result = read_table(path, "transactions")
    assert result.detected.encoding == "utf-8-sig"
    assert list(result.frame.columns[:3]) == ["account_id", "date", "amount"]
    assert result.frame["account_id"].tolist() == ["Núñez"]


def test_bad_rows_rejected_with_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "invoices.csv",
        "invoice_id,account_id,issue_date,due_date,amount\n"  # line 1
        "I1,A,2025-01-01,2025-01-31,10.00\n"  # 2: accepted
        "I2,A,2025-13-01,2025-01-31,10.00\n"  # 3: bad date
        "I3,A,2025-01-01,2025-01-31,ten\n"  # 4: bad amount
        ",A,2025-01-01,2025-01-31,10.00\n"  # 5: missing id
        "\n"  # 6: blank, not a row
        "I1,B,2025-01-02,2025-02-01,12.00\n"  # 7: duplicate of line 2
        "I5,B,2025-01-02,2025-02-01,12.00\n",  # 8: accepted
    )
    result = read_table(path, "invoices")
    rejects = result.rejects

    assert list(rejects.columns) == list(REJECT_COLUMNS)
    assert result.rows_read == 6
    assert result.rows_read == len(result.frame) + len(rejects)
    assert result.frame["invoice_id"].tolist() == ["I1", "I5"]
    assert rejects["line"].tolist() == [3, 4, 5, 7]
    assert rejects["column"].tolist() == [
        "issue_date",
        "amount",
        "invoice_id",
        "invoice_id",
    ]
    assert rejects["value"].tolist() == ["2025-13-01", "ten", "", "I1"]
    assert rejects["reason"].tolist() == [
        "invalid date for format %Y-%m-%d",
        "invalid amount",
        "missing invoice_id",
        "duplicate invoice_id, first on line 2",
    ]
    assert set(rejects["file"]) == {str(path)}


def test_sniff_without_table(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ledger.csv",
        "Factura;Fecha;Vencimiento;Importe;Cuenta\r\n"
        "F-1;25/11/2025;05/12/2025;1.200,00;3.03.001.00514\r\n"
        "F-2;02/11/2025;03/12/2025;-80,00;3.03.001.00515\r\n",
    )
    detected = sniff(path)
    assert detected.encoding == "utf-8"
    assert detected.delimiter == ";"
    assert detected.decimal == ","
    assert detected.header is True
    # Vencimiento fits both orders; Fecha's 25/11/2025 proves day-first.
    assert detected.date_formats == {"Fecha": "%d/%m/%Y", "Vencimiento": "%d/%m/%Y"}
    assert detected.ambiguous_dates == {}
    assert detected.mapping == {}


def test_sniff_lists_ambiguous_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ledger.csv",
        "Factura,Fecha,Importe\nF-1,10/02/2025,100.00\nF-2,05/12/2025,50.00\n",
    )
    detected = sniff(path)
    assert detected.date_formats == {}
    assert detected.ambiguous_dates == {"Fecha": ["%d/%m/%Y", "%m/%d/%Y"]}


def test_doc_type_and_currency_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path / "invoices.csv",
        "invoice_id,account_id,issue_date,due_date,amount,moneda,tipo_documento\n"
        "I1,A,2025-01-01,2025-01-31,100.00,eur,Factura\n"
        "I2,A,2025-01-02,2025-02-01,-40.00,€,Nota de crédito\n"
        "I3,A,2025-01-03,2025-02-02,10.00,$,Factura\n"
        "I4,A,2025-01-04,2025-02-03,10.00,USD,Pedido\n",
    )
    result = read_table(path, "invoices")
    assert result.frame["currency"].tolist() == ["EUR", "EUR"]
    assert result.frame["doc_type"].tolist() == ["invoice", "credit_note"]
    assert result.rejects["line"].tolist() == [4, 5]
    assert result.rejects["reason"].tolist() == [
        "invalid currency, expected an ISO 4217 code such as EUR",
        "invalid doc_type, expected credit_note or invoice",
    ]


def test_unprovided_optional_columns_left_out(tmp_path: Path) -> None:
    path = write(
        tmp_path / "invoices.csv",
        "invoice_id,account_id,issue_date,due_date,amount,region\n"
        "I1,A,2025-01-01,2025-01-31,100.00,Norte\n",
    )
    frame = read_table(path, "invoices").frame
    assert list(frame.columns) == [
        "invoice_id",
        "account_id",
        "issue_date",
        "due_date",
        "amount",
        "region",
    ]


def test_amount_column_without_amounts(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sales.csv",
        "account_id,date,amount\nA,2025-01-02,one\nB,2025-01-03,two\n",
    )
    with pytest.raises(InputError) as caught:
        read_table(path, "transactions")
    assert caught.value.message.endswith(
        "is invalid (invalid amount), for example 'one' on line 2"
    )
    assert "every value of column 'amount'" in caught.value.message


def test_configured_date_format_fits_nothing(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sales.csv",
        "account_id,date,amount\nA,2025-01-02,1\nB,2025-01-03,2\n",
    )
    source = TableSource(date_formats={"date": "%d/%m/%Y"})
    with pytest.raises(InputError, match=r"invalid date for format %d/%m/%Y"):
        read_table(path, "transactions", source)


def test_public_api() -> None:
    import cartera.io

    assert cartera.io.__all__ == [
        "REJECT_COLUMNS",
        "Detected",
        "LoadResult",
        "read_table",
        "sniff",
        "suggest_mapping",
    ]
    assert REJECT_COLUMNS == ("file", "line", "column", "value", "reason")


@pytest.mark.parametrize(
    ("seed", "wide"),
    [
        pytest.param(1, True, id="wide-rows-1"),
        pytest.param(2, True, id="wide-rows-2"),
        pytest.param(3, False, id="no-wide-rows-3"),
        pytest.param(4, False, id="no-wide-rows-4"),
    ],
)
def test_random_messy_file_accounts_for_rows(
    tmp_path: Path, seed: int, wide: bool
) -> None:
    # Wide rows send the file down the record-by-record path; without them
    # the vectorised path and its short-row check run.
    rng = np.random.default_rng(seed)
    cells = {
        "id": ["I1", "I2", "I2", "", " I3 "],
        "date": ["2025-01-31", "2025-02-30", "", "soon"],
        "amount": ["10.50", "-3", "(4.00)", "ten", "", "1,234.5"],
    }
    lines = ["invoice_id,account_id,issue_date,due_date,amount"]
    data_lines = []
    for number in range(300):
        kind = rng.integers(0, 10)
        if kind == 0:
            lines.append("")
            continue
        if kind == 1 and wide:
            lines.append(f"X{number},A,2025-01-01,2025-01-31,1,extra")
        elif kind == 2:
            lines.append(f"X{number},A,2025-01-01")
        else:
            row = [
                str(rng.choice(cells["id"])) + str(number % 7),
                "A",
                str(rng.choice(cells["date"])),
                "2025-03-01",
                '"' + str(rng.choice(cells["amount"])) + '"',
            ]
            lines.append(",".join(row))
        data_lines.append(len(lines))
    path = write(tmp_path / "messy.csv", "\n".join(lines) + "\n")

    result = read_table(path, "invoices")
    assert result.rows_read == len(data_lines)
    assert result.rows_read == len(result.frame) + len(result.rejects)
    assert set(result.rejects["line"]) <= set(data_lines)
    assert result.rejects["line"].is_unique
    assert result.frame["invoice_id"].is_unique


def test_blank_outcome_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("lead_id,converted\nL1,1\nL2,0\nL3,\n", encoding="utf-8")
    frame = read_table(path, "leads").frame.set_index("lead_id")
    assert bool(frame.loc["L1", "converted"])
    assert not frame.loc["L2", "converted"]
    assert pd.isna(frame.loc["L3", "converted"])


def test_dates_before_issue_rejected(tmp_path: Path) -> None:
    path = tmp_path / "invoices.csv"
    path.write_text(
        "invoice_id,account_id,issue_date,due_date,amount,paid_date\n"
        "I1,A,2025-01-10,2025-02-09,100.00,2025-02-01\n"
        "I2,A,2025-01-10,2025-01-05,100.00,\n"
        "I3,B,2025-01-10,2025-02-09,100.00,2025-01-02\n",
        encoding="utf-8",
    )
    result = read_table(path, "invoices")
    assert result.frame["invoice_id"].tolist() == ["I1"]
    assert result.rejects["line"].tolist() == [3, 4]
    assert result.rejects["reason"].tolist() == [
        "due_date is before issue_date",
        "paid_date is before issue_date",
    ]
    assert result.rejects["value"].tolist() == ["2025-01-05", "2025-01-02"]
    assert result.rows_read == len(result.frame) + len(result.rejects)


def _write_long_cell(path: Path, cell: str) -> Path:
    frame = pd.DataFrame(
        {
            "invoice_id": ["F1", "F2", "F3"],
            "account_id": ["C1", cell, "C3"],
            "issue_date": ["2025-01-02"] * 3,
            "due_date": ["2025-02-01"] * 3,
            "amount": ["1.00", "2.00", "3.00"],
            "note": ["a", "b", cell],
        }
    )
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("name", "cell", "line"),
    [
        pytest.param("invoices.csv", "A" * (MAX_CELL_CHARS + 1), 3, id="csv"),
        pytest.param(
            "invoices.csv", "A\n" * (MAX_CELL_CHARS // 2 + 1), 3, id="multiline-cell"
        ),
        pytest.param("invoices.parquet", "A" * (MAX_CELL_CHARS + 1), 3, id="parquet"),
    ],
)
def test_long_cells_rejected(tmp_path: Path, name: str, cell: str, line: int) -> None:
    result = read_table(_write_long_cell(tmp_path / name, cell), "invoices")
    assert result.frame["invoice_id"].tolist() == ["F1"]
    assert result.rows_read == 3
    assert result.rows_read == len(result.frame) + len(result.rejects)
    first = result.rejects.iloc[0]
    assert first["line"] == line
    assert first["column"] == "account_id"
    assert first["value"] == cell[: MAX_SHOWN_CHARS - 3] + "..."
    assert first["reason"] == (
        f"value of {len(cell)} characters is longer than the limit of {MAX_CELL_CHARS}"
    )
    assert result.rejects.iloc[1]["column"] == "note"


def test_cell_at_limit_accepted(tmp_path: Path) -> None:
    cell = "A" * MAX_CELL_CHARS
    result = read_table(_write_long_cell(tmp_path / "invoices.csv", cell), "invoices")
    assert result.rejects.empty
    assert result.frame["account_id"].str.len().max() == MAX_CELL_CHARS


OUT_OF_RANGE = "amount out of range, expected an absolute value below 1e16"


@pytest.mark.parametrize(
    "amount",
    ["1e16", "-1e16", "1e30", "1e400", "99999999999999999.99", "10000000000000000"],
    ids=["1e16", "minus-1e16", "1e30", "infinite", "17-digits", "written-out"],
)
def test_amount_beyond_decimal_rejected(tmp_path: Path, amount: str) -> None:
    path = write(
        tmp_path / "invoices.csv",
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "I1,A,2025-01-01,2025-01-31,10.00\n"
        f"I2,A,2025-01-01,2025-01-31,{amount}\n",
    )
    result = read_table(path, "invoices")
    assert result.frame["invoice_id"].tolist() == ["I1"]
    assert result.rejects["line"].tolist() == [3]
    assert result.rejects["column"].tolist() == ["amount"]
    assert result.rejects["value"].tolist() == [amount]
    assert result.rejects["reason"].iloc[0].startswith(OUT_OF_RANGE)


@pytest.mark.parametrize(
    ("minor_units", "amount", "accepted"),
    [
        (2, "9999999999999998", True),
        (4, "9999999999999998", False),
        (4, "99999999999999.5", True),
        (0, "999999999999999999", False),
    ],
    ids=["below-1e16", "four-places", "below-1e14", "float-rounds-to-1e18"],
)
def test_amount_bound_follows_minor_units(
    tmp_path: Path, minor_units: int, amount: str, accepted: bool
) -> None:
    path = write(
        tmp_path / "sales.csv",
        f"account_id,date,amount\nA,2025-01-01,{amount}\n",
    )
    result = read_table(path, "transactions", minor_units=minor_units)
    assert (len(result.frame) == 1) is accepted
    assert len(result.rejects) == int(not accepted)


def test_product_beyond_decimal_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "lines.csv",
        "cliente,fecha,qty,price\nA,2025-01-01,3,2.50\nB,2025-01-02,1e10,1e10\n",
    )
    source = TableSource(columns={"amount": "qty * price"})
    result = read_table(path, "transactions", source)
    assert result.frame["amount"].tolist() == [7.5]
    assert result.rejects["column"].tolist() == ["qty * price"]
    assert result.rejects["value"].tolist() == ["1e10 * 1e10"]


def test_infinite_rate_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "fx.csv", "currency,rate\nEUR,1\nUSD,1e400\n")
    result = read_table(path, "fx")
    assert result.frame["currency"].tolist() == ["EUR"]
    assert result.rejects["reason"].tolist() == ["rate is not a finite number"]


@pytest.mark.parametrize(
    ("minor_units", "warned"),
    [(0, True), (2, False)],
    ids=["whole-units", "cents"],
)
def test_amounts_rounded_to_minor_units_warned(
    tmp_path: Path, minor_units: int, warned: bool
) -> None:
    path = tmp_path / "invoices.csv"
    path.write_text(
        "invoice_id,account_id,issue_date,due_date,amount\n"
        "S1,M1,2025-01-02,2025-02-01,0.40\n"
        "S2,M2,2025-01-02,2025-02-01,3.00\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_table(path, "invoices", minor_units=minor_units)
    messages = [str(w.message) for w in caught if w.category is DataQualityWarning]
    assert bool(messages) is warned
    if warned:
        assert "1 value(s) of amount" in messages[0]
        assert "line 2: 0.40 to 0" in messages[0]
    assert result.frame["amount"].tolist() == ([0.0, 3.0] if warned else [0.4, 3.0])
