"""Reading the first sheet of an uploaded .xlsx file, row by row, with one error for a damaged
file wherever openpyxl meets the damage.

openpyxl's read-only mode (the one that does not hold a large workbook in memory) parses a
sheet as it is read: a file can open and still fail in any later row, with an XML parser's or
openpyxl's own exception. A reader that guards only the opening lets those through as a 500;
every importer reads through this function instead. Written here because openpyxl offers no
such guard and the importers (sampling, control, intake, workforce) need the same one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator


def first_sheet_rows(
    file, unreadable: Callable[[], Exception], sized: Callable[[int], None] | None = None
) -> Iterator[tuple]:
    """The cell values of the first sheet of ``file`` (a path or a binary file object), row by
    row, read as they are needed; the workbook is closed when the rows end. Any failure to
    open or read it raises ``unreadable()`` (the importer's own error, with its message).
    ``sized`` is told the sheet's row count as its header declares it (a progress bar's total;
    0 when the file does not say) once the workbook is open."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(file, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        declared = sheet.max_row or 0
    except Exception as exc:  # a file that is not a workbook: openpyxl raises many kinds
        raise unreadable() from exc
    if sized is not None:
        sized(declared)
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception as exc:  # damage inside the sheet: the XML parser's and openpyxl's kinds
        raise unreadable() from exc
    finally:
        book.close()
