"""Every file of a run, written into one output folder.

Files, in the order they are written:

- ``accounts.csv``, ``invoices.csv`` (the open items), ``worklist.csv``,
  ``segments.csv`` and ``rejects.csv`` through :func:`cartera.report.csv.write_csv`,
  in the run's language; a table the run did not produce is not written;
- ``answers.md``, the four answers as text, when the run rendered them;
- ``answers.json`` and ``run.json`` (which repeats the answers) through
  :func:`cartera.report.csv.write_json`;
- ``cartera.xlsx`` (:func:`cartera.report.workbook.write_workbook`);
- ``report.html`` (:func:`cartera.report.html.write_report`) unless ``report``
  is false.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cartera.report.csv import write_csv, write_json

if TYPE_CHECKING:
    from cartera.result import RunResult

# RunResult attribute -> CSV file name.
CSV_TABLES = {
    "accounts": "accounts",
    "open_items": "invoices",
    "worklist": "worklist",
    "segments": "segments",
    "rejects": "rejects",
}


def write_outputs(
    result: RunResult, folder: Path, *, report: bool = True
) -> dict[str, Path]:
    """Write the run's CSV, JSON, workbook and HTML files into ``folder``.

    Parameters
    ----------
    result
        The run.
    folder
        Output folder; created when missing. Existing files of the same names
        are replaced.
    report
        Whether to write ``report.html`` (``--no-report`` turns it off).

    Returns
    -------
    dict of str to pathlib.Path
        File label (``accounts``, ``workbook``, ``report``...) to path, in the
        order written, for the command line to list.

    Raises
    ------
    InputError
        A file cannot be written.
    """
    from cartera.report.html import write_report
    from cartera.report.workbook import write_workbook

    written: dict[str, Path] = {}
    for name, file_name in CSV_TABLES.items():
        frame = getattr(result, name)
        if frame is not None:
            path = folder / f"{file_name}.csv"
            written[file_name] = write_csv(frame, path, result.lang)
    if result.answers_md:
        path = folder / "answers.md"
        path.write_text(result.answers_md, encoding="utf-8")
        written["answers_md"] = path
    written["answers"] = write_json(result.answers, folder / "answers.json")
    run = {
        "as_of": result.as_of,
        "lang": result.lang,
        **result.run,
        "answers": result.answers,
    }
    written["run"] = write_json(run, folder / "run.json")
    written["workbook"] = write_workbook(result, folder / "cartera.xlsx")
    if report:
        written["report"] = write_report(result, folder / "report.html")
    return written
