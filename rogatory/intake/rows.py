"""Register format v1, one row at a time: its columns, and each row checked and normalised.

A row is either a `RegisterRow` (clean values, ready to compare with the register) or a list of
`RowError`s, one per wrong cell, in the `row N, column C: what is wrong` form users see.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter

from rogatory.register.models import Direction, Kind, Outcome, Purpose
from rogatory.register.services import refusal_political

from .reader import RegisterFileError
from .selectors import RegisterLookups, RequestKey

COLUMNS: tuple[str, ...] = (
    "reference",
    "direction",
    "kind",
    "country",
    "counterpart_authority",
    "legal_basis",
    "purpose",
    "persons",
    "offence_category",
    "offence_description",
    "money_laundering",
    "terrorist_financing",
    "sent_on",
    "received_on",
    "status",
    "decided_on",
    "refusal_grounds",
    "political",
    "notes",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("reference", "direction", "kind", "country", "status")
PENDING = "pending"
STATUSES_BY_KIND: dict[str, tuple[str, ...]] = {
    Kind.MLA: (
        PENDING,
        Outcome.EXECUTED,
        Outcome.PARTIALLY_EXECUTED,
        Outcome.REFUSED,
        Outcome.WITHDRAWN,
    ),
    Kind.EXTRADITION: (PENDING, Outcome.GRANTED, Outcome.REFUSED, Outcome.WITHDRAWN),
}
GROUND_SEPARATOR = ";"
_UNKNOWN_COLUMNS_NAMED = 10
_MAX_LENGTHS = {"reference": 100, "counterpart_authority": 300}
# The most persons sought one request may name, as the API allows.
_MAX_PERSONS = 10_000
# openpyxl names columns up to ZZZ.
_LETTERED_COLUMNS = 18_278
# Control characters (tabs and line breaks aside) are never meant, and PostgreSQL refuses NUL.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YES = {"yes": True, "no": False}
# Django builds an enumeration's `values` afresh on every call; a row checks three of them.
_DIRECTIONS: tuple[str, ...] = tuple(Direction.values)
_KINDS: tuple[str, ...] = tuple(Kind.values)
_PURPOSES = frozenset(Purpose.values)
# The FATF flags: yes or no, as `political`; an empty cell is no.
FLAG_COLUMNS: tuple[str, ...] = ("money_laundering", "terrorist_financing")


@dataclass(frozen=True)
class RowError:
    """One wrong cell (or header) of a register file."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class RegisterRow:
    """A checked register row with normalised values.

    `opened_on` is sent_on for outgoing rows and received_on for incoming ones;
    `acknowledged_on` is received_on on an outgoing row (the requested state got it).
    """

    row: int
    reference: str
    direction: str
    kind: str
    country: str
    counterpart_authority: str
    legal_basis: str | None
    purpose: str
    persons: int
    offence_category: str | None
    offence_description: str
    money_laundering: bool
    terrorist_financing: bool
    opened_on: date
    acknowledged_on: date | None
    outcome: str
    decided_on: date | None
    grounds: tuple[str, ...]
    political: bool | None
    political_overridden: bool
    notes: str

    @property
    def key(self) -> RequestKey:
        return (self.direction, self.reference)

    @property
    def opening_column(self) -> str:
        return "sent_on" if self.direction == Direction.OUTGOING else "received_on"


@dataclass(frozen=True)
class Header:
    """Where each column of the format is in the file."""

    positions: dict[str, int]
    width: int
    unnamed: tuple[int, ...]

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(self.positions)


def header_parse(values: tuple[str, ...]) -> tuple[Header, list[RowError]]:
    """Return where the columns are, with an error for each unknown, repeated or missing one."""
    names = [value.strip().casefold() for value in values]
    if not any(name in COLUMNS for name in names):
        raise RegisterFileError(
            _(
                "The first row is not a header: it names none of the columns of the register "
                "format (%(columns)s)."
            )
            % {"columns": ", ".join(COLUMNS)}
        )
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    repeats: dict[str, list[int]] = {}
    unnamed: list[int] = []
    unknown: list[str] = []
    for index, (name, original) in enumerate(zip(names, values, strict=True)):
        if not name:
            unnamed.append(index)
        elif name not in COLUMNS:
            unknown.append(original.strip())
        elif name in positions:
            repeats.setdefault(name, [positions[name]]).append(index)
        else:
            positions[name] = index
    errors.extend(_repeated_column_error(name, indexes) for name, indexes in repeats.items())
    errors[:0] = _unknown_column_errors(unknown)
    for column in REQUIRED_COLUMNS:
        if column not in positions:
            errors.append(RowError(1, column, _("this required column is missing")))
    return Header(positions=positions, width=len(values), unnamed=tuple(unnamed)), errors


def _repeated_column_error(name: str, indexes: list[int]) -> RowError:
    # One error for a column however often it repeats: a header may be a million cells wide.
    first, second = (_column_letter(index) for index in indexes[:2])
    if len(indexes) == 2:
        message = _("the column appears twice (columns %(first)s and %(second)s)")
    else:
        message = ngettext(
            "the column appears %(count)d time (first in columns %(first)s and %(second)s)",
            "the column appears %(count)d times (first in columns %(first)s and %(second)s)",
            len(indexes),
        )
    return RowError(1, name, message % {"count": len(indexes), "first": first, "second": second})


def _column_letter(index: int) -> str:
    """Return the spreadsheet name of the column at `index` (from 0): A, B, …, or its number.

    Letters go up to ZZZ (column 18,278); a CSV file may have more columns, named by number.
    """
    return get_column_letter(index + 1) if index < _LETTERED_COLUMNS else str(index + 1)


def _unknown_column_errors(unknown: list[str]) -> list[RowError]:
    # A file from another system may carry thousands of extra columns: name the first few and
    # count the rest, so the message stays readable.
    shown = (
        unknown if len(unknown) <= _UNKNOWN_COLUMNS_NAMED + 1 else unknown[:_UNKNOWN_COLUMNS_NAMED]
    )
    errors = [
        RowError(
            1,
            name,
            _("unknown column; the columns are %(columns)s") % {"columns": ", ".join(COLUMNS)},
        )
        for name in shown
    ]
    if len(shown) < len(unknown):
        rest = len(unknown) - len(shown) - 1
        errors.append(
            RowError(
                1,
                unknown[len(shown)],
                ngettext(
                    "unknown column, and so is %(count)d more after it",
                    "unknown column, and so are %(count)d more after it",
                    rest,
                )
                % {"count": rest},
            )
        )
    return errors


class RowValidator:
    """Check rows of one file: their values, and that no request appears twice."""

    def __init__(self, *, header: Header, lookups: RegisterLookups, today: date) -> None:
        self._header = header
        self._lookups = lookups
        self._today = today
        self._positions = header.positions
        # The rows seen so far, by an 8-byte digest of (direction, reference): a million rows
        # fit in a few dozen megabytes.
        self._seen: dict[bytes, int] = {}

    def validate(
        self, number: int, values: tuple[Any, ...]
    ) -> tuple[RegisterRow | None, list[RowError]]:
        """Return the row checked and normalised, or the errors that stop it."""
        check = _RowCheck(number, values, self._positions)
        self._check_stray_cells(check, values)
        reference = check.text("reference")
        if not reference:
            check.fail("reference", _("the reference is required"))
        direction = check.choice("direction", _DIRECTIONS, required=True)
        kind = check.choice("kind", _KINDS, required=True)
        country = self._country(check)
        authority = check.text("counterpart_authority")
        legal_basis = self._legal_basis(check)
        offence_category = self._offence_category(check)
        description = check.text("offence_description")
        money_laundering, terrorist_financing = (check.flag(column) for column in FLAG_COLUMNS)
        notes = check.text("notes")
        purpose, persons = self._extradition(check, kind)
        opened_on, acknowledged_on = self._opening(check, direction)
        outcome, decided_on = self._decision(check, kind, opened_on, direction)
        grounds, political, overridden = self._refusal(check, outcome)
        for column, limit in _MAX_LENGTHS.items():
            if len(check.text(column)) > limit:
                check.fail(
                    column,
                    ngettext(
                        "longer than %(limit)d character",
                        "longer than %(limit)d characters",
                        limit,
                    )
                    % {"limit": limit},
                )
        texts = [check.text(column) for column in self._positions]
        # One search of the whole row first (a line break is no control character here): rows
        # with a control character are rare, and a file has a million rows.
        if _CONTROL_CHARACTERS.search("\n".join(texts)):
            for column, text in zip(self._positions, texts, strict=True):
                if _CONTROL_CHARACTERS.search(text) and not check.failed(column):
                    check.fail(
                        column, _("contains a control character, which a register cannot hold")
                    )
        if reference and direction:
            self._check_duplicate(check, direction, reference)
        if check.errors:
            return None, check.errors
        return (
            RegisterRow(
                row=number,
                reference=reference,
                direction=direction,
                kind=kind,
                country=country,
                counterpart_authority=authority,
                legal_basis=legal_basis,
                purpose=purpose,
                persons=persons,
                offence_category=offence_category,
                offence_description=description,
                money_laundering=money_laundering,
                terrorist_financing=terrorist_financing,
                opened_on=opened_on,
                acknowledged_on=acknowledged_on,
                outcome=outcome,
                decided_on=decided_on,
                grounds=grounds,
                political=political,
                political_overridden=overridden,
                notes=notes,
            ),
            [],
        )

    def _check_stray_cells(self, check: "_RowCheck", values: tuple[Any, ...]) -> None:
        header = self._header
        stray = [index for index in header.unnamed if index < len(values)]
        stray.extend(range(header.width, len(values)))
        filled = [index for index in stray if _text(values[index])]
        if len(filled) == 1:
            check.fail(_column_letter(filled[0]), _("a value in a column without a header"))
        elif filled:
            # One error for the row, however many such cells it has.
            check.fail(
                _column_letter(filled[0]),
                ngettext(
                    "a value in a column without a header, and %(count)d more after it",
                    "a value in a column without a header, and %(count)d more after it",
                    len(filled) - 1,
                )
                % {"count": len(filled) - 1},
            )

    def _check_duplicate(self, check: "_RowCheck", direction: str, reference: str) -> None:
        key = hashlib.blake2b(f"{direction}\x00{reference}".encode(), digest_size=8).digest()
        first = self._seen.setdefault(key, check.number)
        if first != check.number:
            check.fail(
                "reference",
                _("the %(direction)s request “%(reference)s” is also on row %(row)d")
                % {"direction": direction, "reference": reference, "row": first},
            )

    def _country(self, check: "_RowCheck") -> str:
        value = check.text("country")
        if not value:
            check.fail("country", _("the country is required"))
            return ""
        code = self._lookups.countries.get(value.casefold())
        if code is None:
            check.fail(
                "country",
                _("“%(value)s” is not a country: use an ISO 3166-1 alpha-2 code or an English name")
                % {"value": value},
            )
            return ""
        return code

    def _legal_basis(self, check: "_RowCheck") -> str | None:
        value = check.text("legal_basis")
        if not value:
            return None
        code = self._lookups.treaties.get(value.casefold())
        if code is None:
            check.fail(
                "legal_basis",
                _("“%(value)s” is not a known legal basis; use one of %(codes)s")
                % {"value": value, "codes": ", ".join(sorted(self._lookups.treaties.values()))},
            )
        return code

    def _offence_category(self, check: "_RowCheck") -> str | None:
        value = check.text("offence_category")
        if not value:
            return None
        code = value.zfill(2) if value.isdigit() and len(value) <= 2 else value
        if code not in self._lookups.offence_categories:
            check.fail(
                "offence_category",
                _("“%(value)s” is not an ICCS offence category; use a code from 01 to 11")
                % {"value": value},
            )
            return None
        return code

    def _extradition(self, check: "_RowCheck", kind: str) -> tuple[str, int]:
        purpose = check.text("purpose").casefold()
        persons = check.text("persons")
        if kind != Kind.EXTRADITION:
            if purpose:
                check.fail("purpose", _("only extradition rows have a purpose"))
            if persons:
                check.fail("persons", _("only extradition rows have persons sought"))
            return "", 0
        if not purpose:
            purpose = Purpose.PROSECUTION
        elif purpose not in _PURPOSES:
            check.fail(
                "purpose",
                _("“%(value)s” is not a purpose; use prosecution or sentence")
                % {"value": check.text("purpose")},
            )
        if not persons:
            return purpose, 1
        count = _whole_number(persons)
        if count is None or count < 1:
            check.fail(
                "persons",
                _("“%(value)s” is not a whole number of at least 1") % {"value": persons},
            )
            return purpose, 1
        if count > _MAX_PERSONS:
            check.fail(
                "persons",
                _("“%(value)s” is more persons than one request can seek (at most %(max)d)")
                % {"value": persons, "max": _MAX_PERSONS},
            )
            return purpose, 1
        return purpose, count

    def _opening(self, check: "_RowCheck", direction: str) -> tuple[date | None, date | None]:
        sent_on = check.date("sent_on", self._today)
        received_on = check.date("received_on", self._today)
        if direction == Direction.OUTGOING:
            if sent_on is None and not check.failed("sent_on"):
                check.fail("sent_on", _("an outgoing request needs the date it was sent"))
            if sent_on is not None and received_on is not None and received_on < sent_on:
                check.fail(
                    "received_on",
                    _(
                        "the requested state cannot have received the request (%(received)s) "
                        "before it was sent (%(sent)s)"
                    )
                    % {"received": received_on.isoformat(), "sent": sent_on.isoformat()},
                )
            return sent_on, received_on
        if direction == Direction.INCOMING:
            if check.text("sent_on"):
                check.fail(
                    "sent_on",
                    _(
                        "an incoming request has no sent_on: we keep only the date we received "
                        "it (received_on); leave sent_on empty"
                    ),
                )
            if received_on is None and not check.failed("received_on"):
                check.fail("received_on", _("an incoming request needs the date it was received"))
            return received_on, None
        return None, None

    def _decision(
        self, check: "_RowCheck", kind: str, opened_on: date | None, direction: str
    ) -> tuple[str, date | None]:
        status = check.text("status").casefold()
        decided_on = check.date("decided_on", self._today)
        if not status:
            check.fail("status", _("the status is required"))
            return "", None
        allowed = STATUSES_BY_KIND.get(kind)
        if allowed is not None and status not in allowed:
            check.fail(
                "status",
                _("“%(value)s” is not a status of %(kind)s; use %(allowed)s")
                % {
                    "value": check.text("status"),
                    "kind": _("an MLA request")
                    if kind == Kind.MLA
                    else _("an extradition request"),
                    "allowed": ", ".join(allowed),
                },
            )
            return "", None
        if status == PENDING:
            if decided_on is not None:
                check.fail(
                    "decided_on",
                    _("a pending request has no decision date; leave it empty or give the status"),
                )
            return "", None
        if decided_on is None:
            if not check.failed("decided_on"):
                check.fail(
                    "decided_on",
                    _("a request with status “%(status)s” needs the date of the decision")
                    % {"status": status},
                )
        elif opened_on is not None and decided_on < opened_on:
            if direction == Direction.OUTGOING:
                message = _(
                    "the decision (%(decided)s) cannot be before the request was sent (%(opened)s)"
                )
            else:
                message = _(
                    "the decision (%(decided)s) cannot be before the request was received (%(opened)s)"
                )
            check.fail(
                "decided_on",
                message % {"decided": decided_on.isoformat(), "opened": opened_on.isoformat()},
            )
        return status, decided_on

    def _refusal(
        self, check: "_RowCheck", outcome: str
    ) -> tuple[tuple[str, ...], bool | None, bool]:
        raw_grounds = check.text("refusal_grounds")
        raw_political = check.text("political")
        if check.failed("status"):
            return (), None, False
        if outcome != Outcome.REFUSED:
            if raw_grounds:
                check.fail("refusal_grounds", _("refusal grounds are allowed only on refused rows"))
            if raw_political:
                check.fail("political", _("political is allowed only on refused rows"))
            return (), None, False
        grounds = []
        unknown = []
        for part in raw_grounds.split(GROUND_SEPARATOR):
            code = part.strip()
            if not code:
                continue
            ground = self._lookups.grounds.get(code.casefold())
            if ground is None:
                unknown.append(code)
            elif ground not in grounds:
                grounds.append(ground)
        if unknown:
            check.fail(
                "refusal_grounds",
                ngettext(
                    "unknown refusal ground %(codes)s",
                    "unknown refusal grounds %(codes)s",
                    len(unknown),
                )
                % {"codes": ", ".join(f"“{code}”" for code in unknown)},
            )
        elif not grounds:
            check.fail("refusal_grounds", _("a refused request needs at least one refusal ground"))
        political: bool | None = None
        if raw_political:
            political = _YES.get(raw_political.casefold())
            if political is None:
                check.fail(
                    "political", _("“%(value)s” is not yes or no") % {"value": raw_political}
                )
        if check.errors:
            return (), None, False
        flag, overridden = refusal_political(
            outcome=outcome, grounds=grounds, political=political, require_reason=False
        )
        return tuple(sorted(ground.code for ground in grounds)), flag, overridden


class _RowCheck:
    """The cells of one row and the errors found in them."""

    __slots__ = ("_positions", "_texts", "_values", "errors", "number")

    def __init__(self, number: int, values: tuple[Any, ...], positions: dict[str, int]) -> None:
        self.number = number
        self.errors: list[RowError] = []
        self._values = values
        self._positions = positions
        self._texts: dict[str, str] = {}

    def cell(self, column: str) -> Any:
        index = self._positions.get(column)
        if index is None or index >= len(self._values):
            return None
        return self._values[index]

    def text(self, column: str) -> str:
        text = self._texts.get(column)
        if text is None:
            text = self._texts[column] = _text(self.cell(column))
        return text

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def failed(self, column: str) -> bool:
        return any(error.column == column for error in self.errors)

    def choice(self, column: str, allowed: tuple[str, ...], *, required: bool) -> str:
        value = self.text(column).casefold()
        if value in allowed:
            return value
        if not value and required:
            self.fail(column, _("the %(column)s is required") % {"column": column})
        elif value:
            self.fail(
                column,
                _("“%(value)s” is not a valid %(column)s; use %(allowed)s")
                % {
                    "value": self.text(column),
                    "column": column,
                    "allowed": _(" or ").join(allowed),
                },
            )
        return ""

    def flag(self, column: str) -> bool:
        """Return a yes/no cell (any case; empty is no) as a boolean."""
        value = self.text(column)
        flag = _YES.get(value.casefold()) if value else False
        if flag is None:
            self.fail(column, _("“%(value)s” is not yes or no") % {"value": value})
            return False
        return flag

    def date(self, column: str, today: date) -> date | None:
        value = self.cell(column)
        if isinstance(value, datetime):
            value = value.date()
        elif not isinstance(value, date):
            text = _text(value)
            if not text:
                return None
            if not _DATE.fullmatch(text):
                self.fail(column, _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": text})
                return None
            try:
                value = date.fromisoformat(text)
            except ValueError:
                self.fail(column, _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": text})
                return None
        if value > today:
            self.fail(column, _("%(date)s is in the future") % {"date": value.isoformat()})
            return None
        return value


def _text(value: Any) -> str:
    """Return a cell as trimmed text: numbers without a spurious ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _whole_number(text: str) -> int | None:
    try:
        number = float(text)
    except ValueError:
        return None
    if not number.is_integer():
        return None
    return int(number)
