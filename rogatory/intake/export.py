"""Writing the register to a file in format v1 (CSV or XLSX), streamed batch by batch.

The file imports back into an empty database as the same requests: the status column is the
decision (a surrender exports as `granted`), and on outgoing rows received_on is the date the
requested state acknowledged receipt. Drafts, never sent or received, have no row in the format
and are left out.
"""

import csv
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from rogatory.core.exceptions import ApplicationError, ValidationError
from rogatory.core.spreadsheet import csv_row, xlsx_value
from rogatory.register.models import Direction, Kind, Outcome

from .reader import FORMATS, XLSX
from .rows import COLUMNS, GROUND_SEPARATOR, PENDING
from .selectors import register_export_batches

RowWriter = Callable[[list[Any]], Any]


def register_export(
    *,
    path: Path,
    format: str | None = None,
    direction: str | None = None,
    unit_ids: Collection[int] | None = None,
) -> int:
    """Write the register to `path` in format v1 and return the number of requests written.

    `unit_ids` limits the file to the requests of those units; None writes every unit's.
    """
    file_format = _export_format(path, format)
    if direction and direction not in Direction.values:
        raise ValidationError(
            _("The direction must be outgoing or incoming, not “%(value)s”.") % {"value": direction}
        )
    opener = _xlsx_writer if file_format == XLSX else _csv_writer
    written = 0
    try:
        with opener(path) as write:
            write(list(COLUMNS))
            for batch in register_export_batches(direction=direction, unit_ids=unit_ids):
                for request in batch:
                    write(_row(request, real_dates=file_format == XLSX))
                written += len(batch)
    except OSError as error:
        raise ApplicationError(
            _("Cannot write %(path)s: %(error)s.")
            % {"path": path, "error": error.strerror or error}
        ) from None
    return written


def _export_format(path: Path, format: str | None) -> str:
    if format is None:
        format = path.suffix.lower().lstrip(".")
        if format not in FORMATS:
            raise ValidationError(
                _("Cannot tell the format from the name %(name)s; give csv or xlsx.")
                % {"name": path.name}
            )
    format = format.lower()
    if format not in FORMATS:
        raise ValidationError(
            _("The format must be csv or xlsx, not “%(value)s”.") % {"value": format}
        )
    return format


def _row(request: dict[str, Any], *, real_dates: bool) -> list[Any]:
    def day(value: date | None) -> date | str:
        if value is None:
            return ""
        return value if real_dates else value.isoformat()

    outgoing = request["direction"] == Direction.OUTGOING
    extradition = request["kind"] == Kind.EXTRADITION
    refused = request["outcome"] == Outcome.REFUSED
    values = {
        "reference": request["reference"],
        "direction": request["direction"],
        "kind": request["kind"],
        "country": request["country_id"],
        "counterpart_authority": request["counterpart_authority"],
        "legal_basis": request["legal_basis_id"] or "",
        "purpose": request["purpose"] if extradition else "",
        "persons": request["persons_count"] if extradition else "",
        "offence_category": request["offence_category_id"] or "",
        "offence_description": request["offence_description"],
        "money_laundering": _yes_no(request["money_laundering"]),
        "terrorist_financing": _yes_no(request["terrorist_financing"]),
        "sent_on": day(request["opened_on"]) if outgoing else "",
        "received_on": day(request["acknowledged_on"] if outgoing else request["opened_on"]),
        "status": request["outcome"] or PENDING,
        "decided_on": day(request["decided_on"]),
        "refusal_grounds": GROUND_SEPARATOR.join(request["grounds"]) if refused else "",
        "political": (_yes_no(request["political"]) if refused else ""),
        "notes": request["notes"],
    }
    return [values[column] for column in COLUMNS]


def _yes_no(value: bool | None) -> str:
    # Format values, not interface text: they stay English in every language.
    return "yes" if value else "no"


@contextmanager
def _csv_writer(path: Path) -> Iterator[RowWriter]:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)

        def write(values: list[Any]) -> None:
            # Text a spreadsheet would run as a formula gets a leading ', which import removes.
            writer.writerow(csv_row(values))

        yield write


@contextmanager
def _xlsx_writer(path: Path) -> Iterator[RowWriter]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Register"))

    def write(values: list[Any]) -> None:
        # Text that looks like a formula or an error code stays text, as typed.
        sheet.append([None if value == "" else xlsx_value(sheet, value) for value in values])

    yield write
    workbook.save(path)
