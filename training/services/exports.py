"""Write report tables as CSV (streamed in chunks) or XLSX (constant memory), safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

import xlsxwriter

from .reports import Table

# A cell that starts with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_ROWS_PER_CHUNK = 500


def defuse(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, prefixed with ' so it is shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    return defuse(value)


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV text, a few hundred rows at a time, so no more than that is ever held."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([defuse(h) for h in table.header])
    for count, row in enumerate(table.rows, start=1):
        writer.writerow([_csv_value(v) for v in row])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(table: Table, target: IO[bytes]) -> None:
    """Write the table into `target` as one worksheet, flushing each row to disk as it goes."""
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "remove_timezone": True, "in_memory": False},
    )
    sheet = workbook.add_worksheet(table.name.capitalize())
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.freeze_panes(1, 1)
    _write_row(sheet, 0, table.header, bold, date, stamp)
    widths = [max(len(h), 10) for h in table.header]
    for index, row in enumerate(table.rows, start=1):
        _write_row(sheet, index, row, None, date, stamp)
        if index <= 200:  # sized from the first rows: constant memory allows no second pass
            widths = [max(w, min(len(str(v or "")), 60)) for w, v in zip(widths, row, strict=False)]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width + 2)
    workbook.close()


def _write_row(sheet: Any, index: int, values: Iterable[Any], bold: Any, date: Any, stamp: Any) -> None:
    for column, value in enumerate(values):
        if value is None or value == "":
            sheet.write_blank(index, column, None, bold)
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(index, column, value.astimezone(dt.UTC), stamp)
        elif isinstance(value, dt.date):
            sheet.write_datetime(index, column, value, date)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(index, column, value)
        else:
            # write_string never turns text into a formula; defuse() also protects copies pasted elsewhere.
            sheet.write_string(index, column, defuse(str(value)), bold)
