"""Text cells of the CSV and XLSX files Rogatory writes, kept from running as formulas.

A spreadsheet program opening a CSV file runs a cell that starts with `=`, `+`, `-` or `@` (and,
in some programs, a tab or a carriage return) as a formula: text a user typed, such as a
counterpart authority's name, must never do that (OWASP "CSV injection").

- CSV: such a text cell is written with a leading apostrophe, which spreadsheet programs show as
  text. So that the escape can be undone exactly, a text that already starts with apostrophes
  followed by one of those characters gets one more. The CSV reader undoes it: one leading
  apostrophe is removed from a cell that starts with apostrophes followed by one of those
  characters; any other apostrophe is kept.
- XLSX: such text is written unchanged as an explicit string cell, never a formula, and read
  back as it is.

Numbers are numbers (-5 stays -5); only text is ever escaped.
"""

import re
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def csv_text(value: Any) -> Any:
    """Return `value` for a CSV cell: text a spreadsheet would run as a formula starts with '."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_row(values: Any) -> list[Any]:
    """Return a row of values for a CSV writer, each text cell escaped by `csv_text`."""
    return [csv_text(value) for value in values]


def csv_text_unescape(text: str) -> str:
    """Undo `csv_text`: remove the apostrophe it put before a formula character."""
    return text[1:] if text.startswith("'") and _ESCAPED.match(text) else text


def xlsx_value(sheet: Any, value: Any) -> Any:
    """Return `value` for a write-only XLSX row: text that looks like a formula as a text cell."""
    if xlsx_text_needed(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def xlsx_text_needed(value: Any) -> bool:
    """Return whether `value` is text that openpyxl would write as a formula or an error."""
    return isinstance(value, str) and (value.startswith(FORMULA_TRIGGERS) or value in ERROR_CODES)
