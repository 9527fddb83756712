"""Column mapping: suggestions, configured columns, products and constants."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cartera.config import TableSource
from cartera.errors import DataQualityWarning, InputError
from cartera.io import read_table, suggest_mapping
from cartera.io.mapping import SYNONYMS, normalise, suggest_from_cells


@pytest.mark.parametrize(
    ("columns", "table", "expected"),
    [
        pytest.param(
            ["Nº Factura", "Cliente", "Fecha Emisión", "Fecha_Vencimiento", "Importe"],
            "invoices",
            {
                "invoice_id": "Nº Factura",
                "account_id": "Cliente",
                "issue_date": "Fecha Emisión",
                "due_date": "Fecha_Vencimiento",
                "amount": "Importe",
            },
            id="spanish-accents",
        ),
        pytest.param(
            ["numero_factura", "id_cliente", "fecha", "vencimiento", "monto", "divisa"],
            "invoices",
            {
                "invoice_id": "numero_factura",
                "account_id": "id_cliente",
                "issue_date": "fecha",
                "due_date": "vencimiento",
                "amount": "monto",
                "currency": "divisa",
            },
            id="spanish",
        ),
        pytest.param(
            ["CustomerID", "InvoiceNo", "InvoiceDate", "Quantity", "UnitPrice"],
            "transactions",
            {
                "account_id": "CustomerID",
                "date": "InvoiceDate",
                "amount": "Quantity * UnitPrice",
            },
            id="invoice-lines",
        ),
        pytest.param(
            ["Prospect ID", "Lead Number", "Converted"],
            "leads",
            {"lead_id": "Prospect ID", "converted": "Converted"},
            id="leads",
        ),
        pytest.param(
            ["pago", "cliente", "fecha_pago", "pagado", "factura"],
            "payments",
            {
                "payment_id": "pago",
                "account_id": "cliente",
                "payment_date": "fecha_pago",
                "amount": "pagado",
                "invoice_id": "factura",
            },
            id="payments",
        ),
        pytest.param(
            ["cliente", "customer_id", "fecha", "importe"],
            "transactions",
            {"date": "fecha", "amount": "importe"},
            id="ambiguous-account",
        ),
        pytest.param(
            ["amount", "importe", "account_id", "date"],
            "transactions",
            {"account_id": "account_id", "date": "date", "amount": "amount"},
            id="canonical-name-wins",
        ),
    ],
)
def test_suggest_mapping(
    columns: list[str], table: str, expected: dict[str, str]
) -> None:
    assert suggest_mapping(columns, table) == expected


@pytest.mark.parametrize(
    ("header", "table", "canonical"),
    [
        pytest.param("Disputada", "invoices", "disputed", id="disputada"),
        pytest.param("En litigio", "invoices", "disputed", id="en-litigio"),
        pytest.param("Vence", "invoices", "due_date", id="vence"),
        pytest.param("Vencimiento", "invoices", "due_date", id="vencimiento"),
        pytest.param(
            "Fecha de vencimiento", "invoices", "due_date", id="fecha-de-vencimiento"
        ),
        pytest.param("Tipo", "invoices", "doc_type", id="tipo"),
        pytest.param("Tipo documento", "invoices", "doc_type", id="tipo-documento"),
        pytest.param(
            "Tipo de documento", "invoices", "doc_type", id="tipo-de-documento"
        ),
        pytest.param("N° factura", "invoices", "invoice_id", id="n-degree-factura"),
        pytest.param("Nro. documento", "invoices", "invoice_id", id="nro-documento"),
        pytest.param("Fecha de pago", "invoices", "paid_date", id="fecha-de-pago"),
        pytest.param("Nº cobro", "payments", "payment_id", id="n-ordinal-cobro"),
        pytest.param("N° cobro", "payments", "payment_id", id="n-degree-cobro"),
        pytest.param("Num cobro", "payments", "payment_id", id="num-cobro"),
        pytest.param("Nro. recibo", "payments", "payment_id", id="nro-recibo"),
        pytest.param("Nº pago", "payments", "payment_id", id="n-ordinal-pago"),
        pytest.param("Fecha de cobro", "payments", "payment_date", id="fecha-de-cobro"),
        pytest.param("Nº factura", "payments", "invoice_id", id="payment-factura"),
    ],
)
def test_spanish_header_suggested(header: str, table: str, canonical: str) -> None:
    assert suggest_mapping([header], table) == {canonical: header}


def test_spanish_ledger_headers_mapped() -> None:
    columns = ["Nº factura", "Cliente", "Fecha", "Vence", "Importe", "Tipo"]
    columns += ["Disputada"]
    assert suggest_mapping(columns, "invoices") == {
        "invoice_id": "Nº factura",
        "account_id": "Cliente",
        "issue_date": "Fecha",
        "due_date": "Vence",
        "amount": "Importe",
        "disputed": "Disputada",
        "doc_type": "Tipo",
    }


@pytest.mark.parametrize("table", sorted(SYNONYMS))
def test_synonyms_unique_within_table(table: str) -> None:
    owners: dict[str, str] = {}
    for canonical, words in SYNONYMS[table].items():
        for word in words.split():
            key = normalise(word)
            assert owners.setdefault(key, canonical) == canonical, word


def test_missing_column_error_lists_columns_and_snippet(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(
        "Doc,Cliente,Fecha,Fecha_Emision,Total\nX,A,2025-01-01,2025-01-01,1\n"
    )
    with pytest.raises(InputError) as caught:
        read_table(path, "invoices")
    error = caught.value
    assert "no column for invoice_id, issue_date, due_date" in error.message
    assert "'Doc', 'Cliente', 'Fecha', 'Fecha_Emision', 'Total'" in error.message
    assert error.hint is not None
    assert "[input.invoices.columns]" in error.hint
    assert 'invoice_id = "?"' in error.hint
    assert 'account_id = "Cliente"' in error.hint
    assert 'issue_date = "Fecha"  # one of: Fecha, Fecha_Emision' in error.hint
    assert '# currency = "?"' in error.hint
    assert "header = false" not in error.hint


@pytest.mark.parametrize(
    ("text", "header"),
    [
        pytest.param(
            "1001,2025-01-02,1.50\n1002,2025-01-03,2\n", True, id="header-set"
        ),
        pytest.param("1001,2025-01-02,1.50\n", None, id="single-line"),
        pytest.param(
            "ACME,1997-01-01,29.33\nACME,1997-01-12,10.00\n", True, id="text-id"
        ),
        pytest.param("Cliente,2025-01-31,Total\nA,1,2\n", True, id="one-date"),
        pytest.param("Cliente,Fecha,29.33\nA,1,2\n", True, id="one-number"),
    ],
)
def test_missing_column_of_data_header_suggests_no_header(
    tmp_path: Path, text: str, header: bool | None
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(text)
    with pytest.raises(InputError, match="no column for") as caught:
        read_table(path, "transactions", TableSource(header=header))
    assert caught.value.hint is not None
    assert "set header = false under [input.transactions]" in caught.value.hint
    assert "[input.transactions.columns]" in caught.value.hint


def test_configured_column_not_in_file(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("cliente,fecha,importe\nA,2025-01-01,1\n")
    source = TableSource(columns={"amount": "Importe"})
    with pytest.raises(InputError, match="column 'Importe' not found"):
        read_table(path, "transactions", source)


def test_unknown_canonical_name(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("cliente,fecha,importe\nA,2025-01-01,1\n")
    source = TableSource(columns={"customer": "cliente"})
    with pytest.raises(InputError, match=r"customer in \[input\.transactions\]"):
        read_table(path, "transactions", source)


def test_constant_fills_column(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("cliente,fecha,importe\nA,2025-01-01,1\nB,2025-01-02,2\n")
    result = read_table(
        path, "transactions", TableSource(constants={"currency": "EUR"})
    )
    assert result.frame["currency"].tolist() == ["EUR", "EUR"]
    assert result.detected.mapping["currency"] == "= EUR"


def test_column_and_constant_conflict(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("cliente,fecha,importe,moneda\nA,2025-01-01,1,USD\n")
    source = TableSource(columns={"currency": "moneda"}, constants={"currency": "EUR"})
    with pytest.raises(InputError, match="both as a column and as a constant"):
        read_table(path, "transactions", source)


def test_product_rejects_bad_factor(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    path.write_text(
        "cliente,fecha,qty,price\nA,2025-01-01,3,2.50\nB,2025-01-02,x,1.00\n"
        "C,2025-01-03,-2,0.333\n"
    )
    source = TableSource(columns={"amount": "qty * price"})
    result = read_table(path, "transactions", source)
    assert result.frame["amount"].tolist() == [7.5, -0.67]
    assert result.rejects["column"].tolist() == ["qty"]
    assert result.rejects["value"].tolist() == ["x"]


def test_extra_column_named_like_canonical(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("cliente,date,fecha,importe\nA,ayer,2025-01-01,1\n")
    source = TableSource(columns={"date": "fecha"})
    frame = read_table(path, "transactions", source).frame
    assert frame["date_source"].tolist() == ["ayer"]
    assert str(frame["date"].iloc[0].date()) == "2025-01-01"


def numbered(rows: list[list[str]]) -> pd.DataFrame:
    width = len(rows[0])
    return pd.DataFrame(rows, columns=[f"column_{i}" for i in range(1, width + 1)])


@pytest.mark.parametrize(
    ("rows", "table", "expected"),
    [
        pytest.param(
            [["00004", "0001", "19970101", "2", "29.33"]] * 2
            + [["00021", "0002", "19970118", "1", "15"]],
            "transactions",
            {"account_id": "column_1", "date": "column_3", "amount": "column_5"},
            id="cdnow-shape",
        ),
        pytest.param(
            [["A1", "2025-01-02", "12,50", "3"]],
            "transactions",
            {"account_id": "column_1", "date": "column_2", "amount": "column_3"},
            id="decimal-comma-then-count",
        ),
        pytest.param(
            [["A1", "2025-01-02", "2025-02-01", "12.50"]],
            "transactions",
            {},
            id="two-date-columns",
        ),
        pytest.param(
            [["A1", "2025-01-02", "3", "12"]], "transactions", {}, id="no-decimals"
        ),
        pytest.param([["2025-01-02", "A1", "12.50"]], "transactions", {}, id="no-id"),
        pytest.param([["A1", "2025-01-02", "12.50"]], "invoices", {}, id="other-table"),
    ],
)
def test_suggest_from_cells(
    rows: list[list[str]], table: str, expected: dict[str, str]
) -> None:
    assert suggest_from_cells(numbered(rows), table) == expected  # type: ignore[arg-type]


def test_headerless_transactions_mapped_from_cells(tmp_path: Path) -> None:
    path = tmp_path / "purchases.txt"
    path.write_text("00004 0001 19970101 2 29.33\n00021 0002 19970118 1 14.96\n")
    with pytest.warns(DataQualityWarning, match="column_1 as account_id") as caught:
        result = read_table(path, "transactions")
    assert "column_5 as amount" in str(caught[0].message)
    assert list(result.frame["account_id"]) == ["00004", "00021"]
    assert list(result.frame["amount"]) == [pytest.approx(29.33), pytest.approx(14.96)]
    assert len(result.rejects) == 0


def test_headerless_configured_columns_win(tmp_path: Path) -> None:
    path = tmp_path / "purchases.txt"
    path.write_text("00004 0001 19970101 2 29.33\n00021 0002 19970118 1 14.96\n")
    source = TableSource(
        columns={"account_id": "column_2", "date": "column_3", "amount": "column_5"}
    )
    result = read_table(path, "transactions", source)
    assert list(result.frame["account_id"]) == ["0001", "0002"]
