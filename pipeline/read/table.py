"""Read the first sheet of an .xlsx workbook as plain rows (a caseload extract, an admin's list)."""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException


@contextmanager
def workbook_errors():
    """Turn what openpyxl raises for a file that is not a readable workbook into ValueError, in an admin's words."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # extensions written by Excel that openpyxl does not read
            yield
    except (BadZipFile, InvalidFileException) as err:
        raise ValueError("it is not in Excel's .xlsx format") from err
    except OSError as err:
        raise ValueError(err.strerror or "it cannot be read") from err
    except Exception as err:  # openpyxl raises XML, key, type and value errors for a damaged workbook
        raise ValueError(f"it is damaged: {type(err).__name__}") from err


def read_table(path: Path) -> list[tuple[int, tuple[object, ...]]]:
    """(row number, cell values) of every row of the workbook's first sheet; ValueError saying why it cannot be read.

    Read-only and values only: an extract of every open case may have tens of thousands of rows.
    """
    with workbook_errors():
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return list(enumerate(sheet.iter_rows(values_only=True), 1))
        finally:
            workbook.close()
