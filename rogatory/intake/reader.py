"""Reading a register file (CSV or XLSX) as a stream of rows, without loading it into memory.

Rows come out as `(row_number, values)` where the header is row 1, so the numbers match what a
spreadsheet shows. CSV values are strings; XLSX values are whatever the cell holds (text,
numbers, dates). Fully empty rows are skipped but still counted.
"""

import codecs
import csv
import hashlib
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from tqdm import tqdm

from rogatory.core.exceptions import ApplicationError
from rogatory.core.spreadsheet import csv_text_unescape
from rogatory.register.documents import binary_content_found

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SNIFF_BYTES = 4096
# Updating the progress bar on every row would cost more than reading the row.
_PROGRESS_EVERY = 1000

RawRow = tuple[Any, ...]


class RegisterFileError(ApplicationError):
    """A register file that cannot be read at all: missing, not UTF-8, not XLSX, no header."""


@dataclass(frozen=True)
class RegisterSheet:
    """An open register file: its header row and an iterator over the rows below it."""

    format: str
    header: tuple[str, ...]
    rows: Iterator[tuple[int, RawRow]]


def register_file_sha256(path: Path) -> str:
    """Return the SHA-256 of the file at `path`, as the audit trail records it."""
    digest = hashlib.sha256()
    with _open_binary(path) as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open_binary(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise RegisterFileError(_("The file %(path)s does not exist.") % {"path": path}) from None
    except OSError as error:
        raise RegisterFileError(
            _("The file %(path)s cannot be read: %(error)s.")
            % {"path": path, "error": error.strerror or error}
        ) from None


def register_file_format(path: Path) -> str:
    """Return "csv" or "xlsx" for the file at `path`, from its content and then its suffix.

    A file whose first bytes show another format (a PDF, an image, an old Excel file, a
    program) is refused here, naming what it is, whatever its name says.
    """
    with _open_binary(path) as stream:
        head = stream.read(_SNIFF_BYTES)
    if head.startswith(_ZIP_MAGIC):
        return XLSX
    if head.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise RegisterFileError(
            _("The file %(name)s is in the old Excel format; save it as .xlsx or .csv.")
            % {"name": path.name}
        )
    found = binary_content_found(head)
    if found:
        raise RegisterFileError(
            _("The file %(name)s is not a register in CSV or XLSX: its content is %(found)s.")
            % {"name": path.name, "found": found}
        )
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        raise RegisterFileError(
            _("The file %(name)s is not a valid XLSX workbook.") % {"name": path.name}
        )
    return CSV


@contextmanager
def register_file_open(path: Path, *, progress: bool = False) -> Iterator[RegisterSheet]:
    """Open a register file and give its header and a stream of its rows."""
    file_format = register_file_format(path)
    opener = _open_xlsx if file_format == XLSX else _open_csv
    with opener(path, progress=progress) as sheet:
        yield sheet


def is_empty_row(values: RawRow) -> bool:
    """Return whether no cell of the row holds anything but blanks."""
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


@contextmanager
def _open_csv(path: Path, *, progress: bool) -> Iterator[RegisterSheet]:
    size = path.stat().st_size
    if size == 0:
        raise RegisterFileError(_("The file %(name)s is empty.") % {"name": path.name})
    with path.open("rb") as raw:
        records = csv.reader(_decoded_lines(raw))
        header = _first_record(records, path)
        bar = _progress_bar(progress, total=size, unit="B", name=path.name)
        rows = _csv_rows(records, raw, bar, path)
        try:
            yield RegisterSheet(format=CSV, header=header, rows=rows)
        finally:
            rows.close()
            if bar is not None:
                bar.close()


def _decoded_lines(raw: IO[bytes]) -> Iterator[str]:
    # Decoding line by line (newlines never occur inside a UTF-8 character) puts an encoding
    # error on its row; spreadsheet programs start UTF-8 CSV with a byte order mark.
    lines = iter(raw)
    first = next(lines, b"")
    yield first.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    for line in lines:
        yield line.decode("utf-8")


def _csv_rows(
    records: Iterator[list[str]], raw: IO[bytes], bar: tqdm | None, path: Path
) -> Iterator[tuple[int, RawRow]]:
    number = 1
    reported = 0
    while True:
        number += 1
        try:
            record = next(records)
        except StopIteration:
            break
        except UnicodeDecodeError:
            raise _not_utf8(path, number) from None
        except csv.Error as error:
            raise RegisterFileError(
                _("The file %(name)s cannot be read as CSV near row %(row)d: %(error)s.")
                % {"name": path.name, "row": number, "error": error}
            ) from None
        if bar is not None and number % _PROGRESS_EVERY == 0:
            position = raw.tell()
            bar.update(position - reported)
            reported = position
        if record and not is_empty_row(record):
            # An export escapes text that starts like a formula with a ' (core.spreadsheet).
            yield number, tuple(csv_text_unescape(value) for value in record)
    if bar is not None:
        bar.update(bar.total - reported)


def _first_record(records: Iterator[list[str]], path: Path) -> tuple[str, ...]:
    try:
        header = next(records)
    except StopIteration:
        raise RegisterFileError(_("The file %(name)s is empty.") % {"name": path.name}) from None
    except UnicodeDecodeError:
        raise _not_utf8(path, 1) from None
    except csv.Error as error:
        raise RegisterFileError(
            _("The file %(name)s cannot be read as CSV: %(error)s.")
            % {"name": path.name, "error": error}
        ) from None
    return _header(header, path)


def _header(values: RawRow | list[Any], path: Path) -> tuple[str, ...]:
    if not values or is_empty_row(values):
        raise RegisterFileError(
            _("The first row of %(name)s is empty; it must be the header row naming the columns.")
            % {"name": path.name}
        )
    return tuple("" if value is None else str(value).strip() for value in values)


def _not_utf8(path: Path, row: int) -> RegisterFileError:
    return RegisterFileError(
        _("The file %(name)s is not UTF-8 text (row %(row)d); save it as CSV UTF-8 or as XLSX.")
        % {"name": path.name, "row": row}
    )


@contextmanager
def _open_xlsx(path: Path, *, progress: bool) -> Iterator[RegisterSheet]:
    # Given a path, openpyxl refuses a name that does not end in .xlsx: the content has shown
    # a zip already, and an upload keeps whatever name its sender gave it.
    stream = _open_binary(path)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    # A damaged part of the zip fails to parse as XML: a SyntaxError.
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, SyntaxError, OSError):
        stream.close()
        raise RegisterFileError(
            _("The file %(name)s is not a valid XLSX workbook.") % {"name": path.name}
        ) from None
    try:
        if not workbook.worksheets:
            raise RegisterFileError(_("The workbook %(name)s has no sheet.") % {"name": path.name})
        sheet = workbook.worksheets[0]
        total = sheet.max_row
        # Some programs write a wrong size into the sheet; read every row that is there.
        sheet.reset_dimensions()
        records = _xlsx_records(sheet.iter_rows(values_only=True), path)
        try:
            header = _header(next(records), path)
        except StopIteration:
            raise RegisterFileError(
                _("The first sheet of %(name)s is empty.") % {"name": path.name}
            ) from None
        bar = _progress_bar(progress, total=total, unit="rows", name=path.name)
        rows = _xlsx_rows(records, bar)
        try:
            yield RegisterSheet(format=XLSX, header=header, rows=rows)
        finally:
            rows.close()
            if bar is not None:
                bar.close()
    finally:
        workbook.close()
        stream.close()


def _xlsx_records(cells: Iterator[RawRow], path: Path) -> Iterator[RawRow]:
    try:
        yield from cells
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, OSError):
        # A damaged sheet surfaces while iterating (XML parse errors are SyntaxErrors).
        raise RegisterFileError(
            _("The file %(name)s is not a valid XLSX workbook.") % {"name": path.name}
        ) from None


def _xlsx_rows(records: Iterator[RawRow], bar: tqdm | None) -> Iterator[tuple[int, RawRow]]:
    number = 1
    for number, values in enumerate(records, start=2):
        if bar is not None and number % _PROGRESS_EVERY == 0:
            bar.update(_PROGRESS_EVERY)
        if values and not is_empty_row(values):
            yield number, values
    if bar is not None:
        bar.update(number % _PROGRESS_EVERY)


def _progress_bar(enabled: bool, *, total: int | None, unit: str, name: str) -> tqdm | None:
    if not enabled:
        return None
    return tqdm(
        total=total,
        unit=unit,
        unit_scale=unit == "B",
        desc=name,
        file=sys.stderr,
        leave=False,
    )
