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

An output folder that contains ``run.json`` contains the files of one run
only. The files are written into a hidden staging folder inside the output
folder and moved into place only when every one of them is written, so a run
that fails before then leaves the earlier set as it was. When the files are
moved, ``run.json`` is removed first and moved in last, and the earlier run's
files that this run does not write (``report.html`` after ``--no-report``, for
example) are removed.

NOTE: a process killed while it writes (``SIGKILL``, a power cut) cannot
remove its staging folder, so a ``.cartera-partial-*`` folder stays behind in
the output folder. It contains no finished run and can be deleted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from cartera.errors import InputError
from cartera.report.csv import write_csv, write_json
from cartera.report.tables import round_money_fields

if TYPE_CHECKING:
    import pandas as pd

    from cartera.result import RunResult

# RunResult attribute -> CSV file name.
CSV_TABLES = {
    "accounts": "accounts",
    "open_items": "invoices",
    "worklist": "worklist",
    "segments": "segments",
    "rejects": "rejects",
}

# Every file a run may write. Those a run does not write are removed from the
# folder, so no file of an earlier run is read as part of this one.
OUTPUT_FILES = (
    *(f"{name}.csv" for name in CSV_TABLES.values()),
    "answers.md",
    "answers.json",
    "run.json",
    "cartera.xlsx",
    "report.html",
)

_STAGING_PREFIX = ".cartera-partial-"


def write_outputs(
    result: RunResult, folder: Path, *, report: bool = True
) -> dict[str, Path]:
    """Write the run's CSV, JSON, workbook and HTML files into ``folder``.

    The files are staged and then moved into ``folder``, as the module
    docstring describes.

    Parameters
    ----------
    result
        The run.
    folder
        Output folder; created when missing. The outputs of an earlier run
        are replaced, and its other files are left alone.
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
        A file cannot be written or moved into ``folder``.
    """
    staging = _make_staging(folder)
    try:
        staged = _write_files(result, staging, report)
        return _publish(staged, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# Late-payment columns of invoices.csv, written empty when the model was skipped
# (no invoice settled yet, too little history), so the file keeps one layout.
RISK_COLUMNS = ("p_late", "p_late_model", "lateness_class")


def _with_risk_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the open items with every late-payment column, empty when absent."""
    missing = [name for name in RISK_COLUMNS if name not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**{name: None for name in missing})


def _write_files(result: RunResult, folder: Path, report: bool) -> dict[str, Path]:
    from cartera.report.html import write_report
    from cartera.report.workbook import write_workbook

    written: dict[str, Path] = {}
    for name, file_name in CSV_TABLES.items():
        frame = getattr(result, name)
        if frame is not None and name == "open_items":
            frame = _with_risk_columns(frame)
        if frame is not None:
            path = folder / f"{file_name}.csv"
            written[file_name] = write_csv(frame, path, result.lang, result.minor_units)
    if result.answers_md:
        path = folder / "answers.md"
        path.write_text(result.answers_md, encoding="utf-8")
        written["answers_md"] = path
    answers = round_money_fields(result.answers, result.minor_units)
    written["answers"] = write_json(answers, folder / "answers.json")
    run = {
        "as_of": result.as_of,
        "lang": result.lang,
        **result.run,
        "answers": answers,
    }
    written["run"] = write_json(run, folder / "run.json")
    written["workbook"] = write_workbook(result, folder / "cartera.xlsx")
    if report:
        written["report"] = write_report(result, folder / "report.html")
    return written


def _make_staging(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=folder))
    except OSError as exc:
        raise InputError(
            f"cannot write to the output folder {folder}: {exc.strerror or exc}",
            hint="choose an output folder you can write to",
        ) from exc


def _publish(staged: dict[str, Path], folder: Path) -> dict[str, Path]:
    """Move the staged files into ``folder``, ``run.json`` last.

    Returns the moved files under the labels of ``staged``, in its order.
    """
    names = {path.name for path in staged.values()}
    marker = folder / "run.json"
    last = [label for label, path in staged.items() if path.name == marker.name]
    first = [label for label in staged if label not in last]
    current = marker
    try:
        marker.unlink(missing_ok=True)
        for name in OUTPUT_FILES:
            if name not in names:
                current = folder / name
                current.unlink(missing_ok=True)
        for label in first + last:
            current = folder / staged[label].name
            os.replace(staged[label], current)
    except OSError as exc:
        raise InputError(
            f"cannot replace {current}: {exc.strerror or exc}. The folder now "
            "holds an incomplete set of outputs, without run.json",
            hint="close the file if another program has it open, and run again",
        ) from exc
    return {label: folder / path.name for label, path in staged.items()}
