"""Outputs of a run: CSV and JSON files, the Excel workbook and the HTML report.

- :func:`cartera.report.csv.write_csv` and :func:`cartera.report.csv.write_json`
  for every CSV and JSON file cartera writes;
- :func:`cartera.report.workbook.write_workbook` for ``cartera.xlsx``;
- :func:`cartera.report.html.write_report` for ``report.html``.

The modules import pandas, openpyxl and plotly inside their functions, so importing
this package stays cheap for the command line.
"""
