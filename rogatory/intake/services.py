"""Importing a register file (format v1): every row checked, then all of it written or none.

New requests are written in bulk, with the same events and projection the per-event services
of `rogatory.register.services` would produce (both come from `lifecycle.fold`). A row naming a
registered request changes it only through new events, so its history is kept, and a row that
says what the register already says writes nothing.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rogatory.accounts.models import Unit
from rogatory.accounts.permissions import Action, authorize, user_may_access_unit
from rogatory.accounts.services import unit_default_ensure
from rogatory.audit.services import AuditEntry, audit_chain_reserve, audit_record, audit_record_many
from rogatory.core.bulk import insert_rows, reserve_ids
from rogatory.core.exceptions import ApplicationError, TransitionError
from rogatory.deadlines.engine import RequestFacts
from rogatory.deadlines.services import deadlines_refresh, deadlines_write_new
from rogatory.register import lifecycle
from rogatory.register.models import Direction, Event, Kind, Request, RequestGround
from rogatory.register.selectors import request_changes
from rogatory.register.services import request_project_fields, request_snapshot

from .reader import register_file_open, register_file_sha256
from .rows import Header, RegisterRow, RowError, RowValidator, header_parse
from .selectors import (
    named_person_counts,
    register_lookups,
    requests_by_key,
)

Actor = AbstractBaseUser | None
T = TypeVar("T")

BATCH_SIZE = 2000
# Every column of a new request but its id, which the database gives.
_REQUEST_COLUMNS = tuple(
    field.attname for field in Request._meta.concrete_fields if not field.primary_key
)
_IMPORT_ACTION = "register_import"
# The event columns `_write` gives, in its order; the others get their defaults.
_EVENT_COLUMNS = (
    "request_id",
    "type",
    "occurred_on",
    "recorded_at",
    "recorded_by_id",
    "outcome",
    "political",
    "political_overridden",
    "reason",
)
_REQUEST_ACTION = "request_import"

# Descriptive fields a row sets, by the column that carries them.
_DESCRIPTIVE_COLUMNS: dict[str, tuple[str, str]] = {
    "country": ("country_id", "country"),
    "counterpart_authority": ("counterpart_authority", "counterpart_authority"),
    "legal_basis": ("legal_basis_id", "legal_basis"),
    "offence_category": ("offence_category_id", "offence_category"),
    "offence_description": ("offence_description", "offence_description"),
    "money_laundering": ("money_laundering", "money_laundering"),
    "terrorist_financing": ("terrorist_financing", "terrorist_financing"),
    "purpose": ("purpose", "purpose"),
    "persons": ("persons_count", "persons"),
    "notes": ("notes", "notes"),
}
_PROJECTION_FIELDS = ("status", "outcome", "opened_on", "decided_on", "political")
_UPDATE_FIELDS = (
    *(model_field for model_field, _row_field in _DESCRIPTIVE_COLUMNS.values()),
    *_PROJECTION_FIELDS,
    "version",
    "updated_at",
)


@dataclass(frozen=True)
class ImportResult:
    """What an import did, or would do in a dry run."""

    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


class ImportRejected(ApplicationError):
    """A register file with wrong rows; nothing of it was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda error: error.row)
        rows = len({error.row for error in self.errors})
        count = len(self.errors)
        super().__init__(
            _("%(errors)s in %(rows)s; nothing was imported.")
            % {
                "errors": ngettext("%d error", "%d errors", count) % count,
                "rows": ngettext("%d row", "%d rows", rows) % rows,
            },
            extra={"errors": [str(error) for error in self.errors]},
        )


def register_import(
    *,
    actor: Actor,
    path: Path,
    dry_run: bool = False,
    progress: bool = False,
    unit: Unit | None = None,
) -> ImportResult:
    """Import a register file: create and update its requests, all rows or none.

    New requests go to `unit` (the default unit when none is given); rows that change an
    existing request need the actor to work in that request's unit.
    """
    unit = unit or unit_default_ensure()
    authorize(actor, Action.IMPORT, unit_id=unit.pk)
    sha256 = register_file_sha256(path)
    lookups = register_lookups()
    with transaction.atomic(), register_file_open(path, progress=progress) as sheet:
        audit_chain_reserve()
        header, errors = header_parse(sheet.header)
        if errors:
            raise ImportRejected(errors)
        validator = RowValidator(header=header, lookups=lookups, today=timezone.localdate())
        writer = _BatchWriter(actor=actor, header=header, source=path.name, unit_id=unit.pk)
        for batch in _batches(sheet.rows, BATCH_SIZE):
            rows = []
            for number, values in batch:
                row, row_errors = validator.validate(number, values)
                if row is None:
                    errors.extend(row_errors)
                else:
                    rows.append(row)
            errors.extend(writer.process(rows, write=not errors))
        if errors:
            raise ImportRejected(errors)
        result = ImportResult(
            rows=writer.rows,
            created=writer.created,
            updated=writer.updated,
            unchanged=writer.unchanged,
            dry_run=dry_run,
        )
        audit_record(
            actor=actor,
            action=_IMPORT_ACTION,
            object_type="register",
            object_id=path.name[:60],
            after={
                "file": path.name,
                "sha256": sha256,
                "unit": unit.code,
                "format": sheet.format,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return result


@dataclass
class _Plan:
    """The writes one row leads to."""

    row: RegisterRow
    request: Request
    events: list["_NewEvent"] = field(default_factory=list)
    grounds: tuple[str, ...] | None = None  # the projection's grounds, when they change
    before: dict[str, Any] | None = None


@dataclass(slots=True)
class _NewEvent:
    """An event to insert (lighter than a model instance, which a bulk import feels)."""

    type: str
    occurred_on: date
    outcome: str
    political: bool | None
    overridden: bool
    reason: str
    grounds: tuple[str, ...]


@dataclass
class _BatchWriter:
    """Turn checked rows into requests and events, one batch of rows at a time."""

    actor: Actor
    header: Header
    source: str
    unit_id: int
    now: datetime = field(default_factory=timezone.now)
    today: date = field(default_factory=timezone.localdate)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    statistics_at: int = 4 * BATCH_SIZE

    def process(self, rows: list[RegisterRow], *, write: bool) -> list[RowError]:
        """Check the batch against the register and, if `write` and all is well, write it."""
        self.rows += len(rows)
        if self.rows >= self.statistics_at:
            # Each time the import has doubled what it wrote (a few seconds in all).
            _statistics_refresh()
            self.statistics_at *= 2
        errors: list[RowError] = []
        existing = requests_by_key(keys=[row.key for row in rows]) if rows else {}
        histories = request_changes(request_ids=[request.pk for request in existing.values()])
        named = named_person_counts(
            request_ids=[r.pk for r in existing.values() if r.kind == Kind.EXTRADITION]
        )
        created: list[_Plan] = []
        updated: list[_Plan] = []
        for row in rows:
            request = existing.get(row.key)
            try:
                if request is None:
                    created.append(self._plan_create(row))
                    continue
                if not user_may_access_unit(self.actor, request.unit_id):
                    raise _RowRejected(
                        RowError(
                            row.row,
                            "reference",
                            _("this request belongs to a unit you do not work in"),
                        )
                    )
                plan = self._plan_update(
                    row, request, histories.get(request.pk, []), named.get(request.pk, 0)
                )
            except _RowRejected as rejected:
                errors.append(rejected.error)
                continue
            if plan is None:
                self.unchanged += 1
            else:
                updated.append(plan)
        self.created += len(created)
        self.updated += len(updated)
        if write and not errors:
            self._write(created, updated)
        return errors

    def _reason(self, row: RegisterRow) -> str:
        return _("Register import of %(file)s, row %(row)d") % {"file": self.source, "row": row.row}

    def _plan_create(self, row: RegisterRow) -> _Plan:
        opening = Event.Type.SENT if row.direction == Direction.OUTGOING else Event.Type.RECEIVED
        request = _new_request(
            unit_id=self.unit_id,
            direction=row.direction,
            kind=row.kind,
            reference=row.reference,
            country_id=row.country,
            counterpart_authority=row.counterpart_authority,
            legal_basis_id=row.legal_basis,
            offence_category_id=row.offence_category,
            offence_description=row.offence_description,
            money_laundering=row.money_laundering,
            terrorist_financing=row.terrorist_financing,
            purpose=row.purpose,
            persons_count=row.persons,
            notes=row.notes,
        )
        plan = _Plan(row=row, request=request)
        state = lifecycle.State(direction=row.direction, kind=row.kind)
        state = self._add(plan, state, Event.Type.REGISTERED, row.opened_on, row.opening_column)
        state = self._add(plan, state, opening, row.opened_on, row.opening_column)
        if row.acknowledged_on is not None:
            state = self._add(
                plan, state, Event.Type.ACKNOWLEDGED, row.acknowledged_on, "received_on"
            )
        if row.outcome:
            state = self._add_decision(plan, state)
        request_project_fields(request=request, state=state)
        request.version = len(plan.events)
        plan.grounds = state.ground_codes
        return plan

    def _plan_update(
        self, row: RegisterRow, request: Request, history: list[lifecycle.Change], named: int
    ) -> _Plan | None:
        if request.kind != row.kind:
            raise _RowRejected(
                RowError(
                    row.row,
                    "kind",
                    _(
                        "the %(direction)s request “%(reference)s” is registered as %(registered)s, not %(kind)s"
                    )
                    % {
                        "direction": row.direction,
                        "reference": row.reference,
                        "registered": request.kind,
                        "kind": row.kind,
                    },
                )
            )
        plan = _Plan(row=row, request=request)
        registered = lifecycle.fold(request.direction, request.kind, history)
        state = registered
        current = (state.outcome, state.decided_on, state.ground_codes, state.political)
        wanted = (row.outcome, row.decided_on, row.grounds, row.political)
        decision_changed = current != wanted
        reason = self._reason(row)
        if state.is_decided and decision_changed:
            state = self._add(plan, state, Event.Type.REOPENED, self.today, "status", reason=reason)
        if state.opened_on is None:
            opening = (
                Event.Type.SENT if row.direction == Direction.OUTGOING else Event.Type.RECEIVED
            )
            state = self._add(plan, state, opening, row.opened_on, row.opening_column)
        elif state.opened_on != row.opened_on:
            state = self._add(
                plan,
                state,
                Event.Type.OPENING_CORRECTED,
                row.opened_on,
                row.opening_column,
                reason=reason,
            )
        if row.acknowledged_on is not None and row.acknowledged_on != _acknowledged_on(history):
            state = self._add(
                plan, state, Event.Type.ACKNOWLEDGED, row.acknowledged_on, "received_on"
            )
        if row.outcome and decision_changed:
            state = self._add_decision(plan, state)

        descriptive = self._descriptive_changes(row, request)
        if "persons_count" in descriptive and descriptive["persons_count"] < named:
            raise _RowRejected(
                RowError(
                    row.row,
                    "persons",
                    ngettext(
                        "the request names %(named)d person; it cannot seek fewer",
                        "the request names %(named)d persons; it cannot seek fewer",
                        named,
                    )
                    % {"named": named},
                )
            )
        if not plan.events and not descriptive:
            return None
        plan.before = request_snapshot(request)
        for model_field, value in descriptive.items():
            setattr(request, model_field, value)
        if plan.events:
            if state.ground_codes != registered.ground_codes:
                plan.grounds = state.ground_codes
            request_project_fields(request=request, state=state)
        request.version += len(plan.events) + (1 if descriptive else 0)
        request.updated_at = self.now
        return plan

    def _descriptive_changes(self, row: RegisterRow, request: Request) -> dict[str, Any]:
        changes = {}
        given = self.header.columns
        for column, (model_field, row_field) in _DESCRIPTIVE_COLUMNS.items():
            # A column left out of the file leaves its field as it is.
            if column in given and getattr(request, model_field) != getattr(row, row_field):
                changes[model_field] = getattr(row, row_field)
        return changes

    def _add_decision(self, plan: _Plan, state: lifecycle.State) -> lifecycle.State:
        row = plan.row
        return self._add(
            plan,
            state,
            Event.Type.DECIDED,
            row.decided_on,
            "status",
            outcome=row.outcome,
            grounds=row.grounds,
            political=row.political,
            overridden=row.political_overridden,
            reason=self._reason(row) if row.political_overridden else "",
        )

    def _add(
        self,
        plan: _Plan,
        state: lifecycle.State,
        type: str,
        on: date,
        column: str,
        *,
        outcome: str = "",
        grounds: tuple[str, ...] = (),
        political: bool | None = None,
        overridden: bool = False,
        reason: str = "",
    ) -> lifecycle.State:
        change = lifecycle.Change(
            type=type, occurred_on=on, outcome=outcome, political=political, ground_codes=grounds
        )
        try:
            state = lifecycle.apply(state, change)
        except TransitionError as error:
            raise _RowRejected(RowError(plan.row.row, column, error.message)) from None
        plan.events.append(
            _NewEvent(
                type=type,
                occurred_on=on,
                outcome=outcome,
                political=political,
                overridden=overridden,
                reason=reason,
                grounds=grounds,
            )
        )
        return state

    def _write(self, created: list[_Plan], updated: list[_Plan]) -> None:
        if created:
            self._create_requests(created)
        if updated:
            Request.objects.bulk_update(
                [plan.request for plan in updated], _UPDATE_FIELDS, batch_size=500
            )
            RequestGround.objects.filter(
                request_id__in=[plan.request.pk for plan in updated if plan.grounds is not None]
            ).delete()
        plans = [*created, *updated]
        actor_id = self.actor.pk if self.actor is not None else None
        events = [(plan.request.pk, event) for plan in plans for event in plan.events]
        event_ids = reserve_ids(Event, len(events))
        insert_rows(
            Event,
            ("id", *_EVENT_COLUMNS),
            [
                (
                    event_id,
                    request_id,
                    event.type,
                    event.occurred_on,
                    self.now,
                    actor_id,
                    event.outcome,
                    event.political,
                    event.overridden,
                    event.reason,
                )
                for event_id, (request_id, event) in zip(event_ids, events, strict=True)
            ],
        )
        insert_rows(
            Event.grounds.through,
            ("event_id", "refusalground_id"),
            [
                (event_id, code)
                for event_id, (_request_id, event) in zip(event_ids, events, strict=True)
                for code in event.grounds
            ],
        )
        insert_rows(
            RequestGround,
            ("request_id", "ground_id"),
            [(plan.request.pk, code) for plan in plans for code in plan.grounds or ()],
        )
        # Due dates: new requests from the histories in hand, updated ones read back.
        deadlines_write_new(
            facts={plan.request.pk: RequestFacts.of(plan.request, plan.events) for plan in created}
        )
        if updated:
            deadlines_refresh(requests=[plan.request for plan in updated])
        audit_record_many(
            actor=self.actor,
            entries=(
                AuditEntry(
                    action=_REQUEST_ACTION,
                    object_type="request",
                    object_id=str(plan.request.pk),
                    before=plan.before,
                    after=request_snapshot(plan.request),
                )
                for plan in plans
            ),
        )

    def _create_requests(self, plans: list[_Plan]) -> None:
        for plan, pk in zip(plans, reserve_ids(Request, len(plans)), strict=True):
            plan.request.pk = pk
            plan.request.created_at = plan.request.updated_at = self.now
        insert_rows(
            Request,
            ("id", *_REQUEST_COLUMNS),
            ([getattr(plan.request, name) for name in ("id", *_REQUEST_COLUMNS)] for plan in plans),
        )


def _statistics_refresh() -> None:
    """Have PostgreSQL count the requests and events this import has written so far.

    The planner's statistics describe the register as it was before the import, and the rows
    written in the import's own transaction are unknown to them. Taking the request table for
    nearly empty, PostgreSQL found a batch's references by reading every request of that
    direction (an index on direction and dates) instead of the index on references, so the
    import slowed down as it went: 170 ms a batch at 500,000 rows. ANALYZE inside the
    transaction counts the transaction's own rows.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE register_request, register_event")


def _new_request(**values: Any) -> Request:
    """Return an unsaved request with `values` (by attname) and every other field's default.

    `Request(...)` walks every field and descriptor, which costs more than the rest of planning
    a row; an import plans a million. Only attributes are set here, as `Model.__init__` would
    set them, for `request_project_fields`, `request_snapshot` and `insert_rows` to read.
    """
    request = Request.__new__(Request)
    request._state = ModelState()
    request.__dict__.update(_REQUEST_DEFAULTS)
    request.__dict__.update(values)
    return request


# Every concrete field's default, by attname; `auto_now` fields are set when rows are written.
_REQUEST_DEFAULTS: dict[str, Any] = {
    field.attname: field.get_default() for field in Request._meta.concrete_fields
}


class _RowRejected(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


def _acknowledged_on(history: list[lifecycle.Change]) -> date | None:
    """Return the date of the latest acknowledgement of receipt in a request's history."""
    dates = [change.occurred_on for change in history if change.type == Event.Type.ACKNOWLEDGED]
    return dates[-1] if dates else None


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
