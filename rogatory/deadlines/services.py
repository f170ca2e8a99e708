"""Changes to deadline rules and to the due dates they give requests.

The due dates (`Deadline` rows) are a projection of each request's events through the rules in
use, computed by `rogatory.deadlines.engine`. They are rewritten by the transaction that
changes the request (`deadlines_refresh`, called by the register services and the import), by a
supervisor's change to a rule, and by `rogatory deadlines --refresh`. They carry no audit of
their own: the change that moved them is audited.

This module must not import `rogatory.register.services` at module level: that module imports
this one.
"""

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from itertools import islice
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rogatory.accounts.permissions import Action, authorize
from rogatory.audit.services import audit_chain_reserve, audit_record
from rogatory.core.bulk import insert_rows
from rogatory.core.exceptions import ValidationError
from rogatory.reference.models import Treaty
from rogatory.register.models import Event, Request, Status

from .engine import DueDate, RequestFacts, deadlines_compute
from .models import Deadline, DeadlineRule

Actor = AbstractBaseUser | None

# Requests recomputed per query round: small enough for every database's parameter limit.
REFRESH_BATCH = 2000

# What a supervisor may change on a rule, and `deadline_rules_load` therefore keeps once edited.
DEADLINE_RULE_EDITABLE_FIELDS = (
    "basis",
    "direction",
    "kind",
    "treaty",
    "starts",
    "stops",
    "period_days",
    "period_months",
    "warn_days",
    "name_en",
    "name_ru",
    "source",
    "source_url",
    "active",
    "position",
)

RULE_CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,59}")

# Starts and stops that only extradition requests have.
_EXTRADITION_STARTS = frozenset({"provisional_arrest", "granted"})
_EXTRADITION_STOPS = frozenset({"formal_request", "surrender"})

_DEADLINE_FIELDS = ("started_on", "due_on", "warn_on", "met_on")


# --- due dates of requests ---------------------------------------------------------------------


def deadlines_refresh(*, requests: Iterable[Request]) -> None:
    """Recompute the due dates of `requests` from their events and the rules in use.

    Called inside the transaction of every change to a request, so that the due dates never
    disagree with the request they belong to. A handful of queries whatever the number of
    requests (in rounds of `REFRESH_BATCH`): the requests' facts, their events, their current
    due dates, then one insert, one bulk update and one delete for what changed.
    """
    ids = [request.pk for request in requests if request.pk is not None]
    rules = _rules_in_use()
    for batch in _batches(ids, REFRESH_BATCH):
        _refresh_ids(batch, rules)


def deadlines_refresh_all(*, batch_size: int = REFRESH_BATCH) -> int:
    """Recompute the due dates of every request, one transaction per batch; return how many.

    For after an upgrade or a bulk change of rules (`rogatory deadlines --refresh`).
    """
    rules = _rules_in_use()
    count = 0
    last_id = 0
    while True:
        ids = list(
            Request.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return count
        with transaction.atomic():
            _refresh_ids(ids, rules)
        count += len(ids)
        last_id = ids[-1]


def deadlines_write_new(*, facts: Mapping[int, RequestFacts]) -> int:
    """Write the due dates of requests just created in bulk (they have none yet).

    The import and the synthetic register already hold each new request's history in memory,
    so nothing is read back; return how many due dates were written.
    """
    rules = _rules_in_use()
    return insert_rows(
        Deadline,
        ("request_id", "rule_id", *_DEADLINE_FIELDS),
        (
            (request_id, due.rule, due.started_on, due.due_on, due.warn_on, due.met_on)
            for request_id, request_facts in facts.items()
            for due in deadlines_compute(request_facts, rules)
        ),
    )


def _rules_in_use() -> list[DeadlineRule]:
    return list(DeadlineRule.objects.filter(active=True).order_by("position", "code"))


@dataclass(frozen=True, slots=True)
class _Event:
    type: str
    occurred_on: date
    outcome: str


def _facts(ids: Sequence[int]) -> dict[int, RequestFacts]:
    """Return the engine's view of the requests `ids`: two queries."""
    events: dict[int, list[_Event]] = defaultdict(list)
    for request_id, type, occurred_on, outcome in (
        Event.objects.filter(request_id__in=ids)
        .order_by("request_id", "recorded_at", "id")
        .values_list("request_id", "type", "occurred_on", "outcome")
    ):
        events[request_id].append(_Event(type, occurred_on, outcome))
    return {
        pk: RequestFacts(
            direction=direction,
            kind=kind,
            legal_basis=legal_basis,
            limitation_on=limitation_on,
            events=events.get(pk, ()),
        )
        for pk, direction, kind, legal_basis, limitation_on in Request.objects.filter(
            pk__in=ids
        ).values_list("pk", "direction", "kind", "legal_basis_id", "limitation_on")
    }


def _refresh_ids(ids: Sequence[int], rules: Sequence[DeadlineRule]) -> None:
    wanted: dict[tuple[int, str], DueDate] = {
        (request_id, due.rule): due
        for request_id, request_facts in _facts(ids).items()
        for due in deadlines_compute(request_facts, rules)
    }
    changed: list[Deadline] = []
    stale: list[int] = []
    for deadline in Deadline.objects.filter(request_id__in=ids).only(
        "id", "request_id", "rule_id", *_DEADLINE_FIELDS
    ):
        due = wanted.pop((deadline.request_id, deadline.rule_id), None)
        if due is None:
            stale.append(deadline.pk)
            continue
        values = (due.started_on, due.due_on, due.warn_on, due.met_on)
        if values != tuple(getattr(deadline, name) for name in _DEADLINE_FIELDS):
            for name, value in zip(_DEADLINE_FIELDS, values, strict=True):
                setattr(deadline, name, value)
            changed.append(deadline)
    if stale:
        Deadline.objects.filter(pk__in=stale).delete()
    if changed:
        Deadline.objects.bulk_update(changed, _DEADLINE_FIELDS, batch_size=500)
    if wanted:
        insert_rows(
            Deadline,
            ("request_id", "rule_id", *_DEADLINE_FIELDS),
            (
                (request_id, due.rule, due.started_on, due.due_on, due.warn_on, due.met_on)
                for (request_id, _rule), due in wanted.items()
            ),
        )


def _batches(items: Sequence[int], size: int) -> Iterator[list[int]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# --- rules -------------------------------------------------------------------------------------


def _rule_snapshot(rule: DeadlineRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        **{
            field: getattr(rule, "treaty_id" if field == "treaty" else field)
            for field in DEADLINE_RULE_EDITABLE_FIELDS
        },
    }


def _text(value: Any, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("Fill in “%(field)s”.") % {"field": label}, extra={"field": field})
    if len(value) > max_length:
        raise ValidationError(
            _("“%(field)s” is too long: use at most %(count)d characters.")
            % {"field": label, "count": max_length},
            extra={"field": field},
        )
    return value


def _choice(value: Any, choices: Iterable[str], *, field: str, label: str) -> str:
    value = value or ""
    allowed = list(choices)
    if value not in allowed:
        raise ValidationError(
            _("“%(value)s” is not a value of “%(field)s”; use one of: %(values)s.")
            % {
                "value": value,
                "field": label,
                "values": ", ".join(choice or "—" for choice in allowed),
            },
            extra={"field": field},
        )
    return value


def _whole(value: Any, *, field: str, label: str, least: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValidationError(
            _("“%(field)s” must be a whole number of at least %(least)d.")
            % {"field": label, "least": least},
            extra={"field": field},
        )
    return value


def deadline_rule_clean(values: dict[str, Any]) -> dict[str, Any]:
    """Return a rule's editable `values` checked and normalised, or raise ValidationError
    naming the first field that is wrong."""
    cleaned = dict(values)
    cleaned["basis"] = _choice(
        values.get("basis"), DeadlineRule.Basis.values, field="basis", label=_("Basis")
    )
    cleaned["direction"] = _choice(
        values.get("direction"),
        ["", "outgoing", "incoming"],
        field="direction",
        label=_("Direction"),
    )
    cleaned["kind"] = _choice(
        values.get("kind"), ["", "mla", "extradition"], field="kind", label=_("Kind")
    )
    treaty = values.get("treaty")
    if treaty is not None and not isinstance(treaty, Treaty):
        raise ValidationError(_("Choose a legal basis from the list."), extra={"field": "treaty"})
    cleaned["treaty"] = treaty
    starts = cleaned["starts"] = _choice(
        values.get("starts"),
        DeadlineRule.Start.values,
        field="starts",
        label=_("The clock starts at"),
    )
    stops = cleaned["stops"] = _choice(
        values.get("stops"),
        DeadlineRule.Stop.values,
        field="stops",
        label=_("The clock stops at"),
    )
    days = cleaned["period_days"] = _whole(
        values.get("period_days"), field="period_days", label=_("Period in days"), least=1
    )
    months = cleaned["period_months"] = _whole(
        values.get("period_months"), field="period_months", label=_("Period in months"), least=1
    )
    warn = _whole(
        values.get("warn_days"), field="warn_days", label=_("Warn this many days before"), least=0
    )
    if warn is None:
        raise ValidationError(
            _("Fill in “%(field)s” (0 for no warning before the day itself).")
            % {"field": _("Warn this many days before")},
            extra={"field": "warn_days"},
        )
    cleaned["warn_days"] = warn
    position = _whole(values.get("position", 0), field="position", label=_("Position"), least=0)
    cleaned["position"] = position or 0
    cleaned["active"] = bool(values.get("active", True))
    cleaned["name_en"] = _text(
        values.get("name_en"), field="name_en", label=_("English name"), max_length=200
    )
    cleaned["name_ru"] = _text(
        values.get("name_ru"), field="name_ru", label=_("Russian name"), max_length=200
    )
    cleaned["source"] = _text(
        values.get("source"), field="source", label=_("Source"), max_length=2000
    )
    url = cleaned["source_url"] = _text(
        values.get("source_url"),
        field="source_url",
        label=_("Source address"),
        max_length=200,
        required=False,
    )
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except DjangoValidationError:
            raise ValidationError(
                _("“%(url)s” is not a web address; write it as https://…") % {"url": url},
                extra={"field": "source_url"},
            ) from None

    if starts == "limitation":
        if days is not None or months is not None:
            raise ValidationError(
                _(
                    "A clock that ends on the request's limitation date has no period: leave "
                    "both periods empty."
                ),
                extra={"field": "period_days"},
            )
        if cleaned["basis"] != DeadlineRule.Basis.LIMITATION:
            raise ValidationError(
                _("A rule that ends on the limitation date has the basis “limitation period”."),
                extra={"field": "basis"},
            )
    else:
        if (days is None) == (months is None):
            raise ValidationError(
                _("Give the period either in days or in calendar months, not both and not none."),
                extra={"field": "period_days" if days is None else "period_months"},
            )
        if cleaned["basis"] == DeadlineRule.Basis.LIMITATION:
            raise ValidationError(
                _(
                    "A rule with the basis “limitation period” ends on the limitation date: "
                    "choose that as the start."
                ),
                extra={"field": "starts"},
            )
    if cleaned["basis"] == DeadlineRule.Basis.TREATY and treaty is None:
        raise ValidationError(
            _("A treaty period needs the treaty it comes from: choose the legal basis."),
            extra={"field": "treaty"},
        )
    if (starts in _EXTRADITION_STARTS or stops in _EXTRADITION_STOPS) and cleaned["kind"] != (
        "extradition"
    ):
        raise ValidationError(
            _(
                "Provisional arrest, the grant, the formal extradition request and surrender "
                "happen only in extradition: set the kind to extradition."
            ),
            extra={"field": "kind"},
        )
    if (starts, cleaned["direction"]) in (("sent", "incoming"), ("received", "outgoing")):
        raise ValidationError(
            _(
                "Outgoing requests are sent and incoming requests are received: this rule would "
                "never start. Change the start or the direction."
            ),
            extra={"field": "starts"},
        )
    return cleaned


def _refresh_for_scopes(*scopes: DeadlineRule | dict[str, Any]) -> None:
    """Recompute the due dates of the open requests any of `scopes` (a rule before and after
    a change) can apply to: undecided requests, and granted extraditions not yet surrendered."""
    scope_filter = Q()
    for scope in scopes:
        get = scope.get if isinstance(scope, dict) else lambda name, s=scope: getattr(s, name)
        condition = Q()
        if get("direction"):
            condition &= Q(direction=get("direction"))
        if get("kind"):
            condition &= Q(kind=get("kind"))
        treaty_id = get("treaty_id")
        if treaty_id:
            condition &= Q(legal_basis_id=treaty_id)
        scope_filter |= condition
    open_requests = Request.objects.filter(
        Q(decided_on__isnull=True) | Q(status=Status.GRANTED)
    ).filter(scope_filter)
    ids = list(open_requests.order_by("pk").values_list("pk", flat=True))
    rules = _rules_in_use()
    for batch in _batches(ids, REFRESH_BATCH):
        _refresh_ids(batch, rules)


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if not RULE_CODE_PATTERN.fullmatch(code):
        raise ValidationError(
            _(
                "A rule code is 2 to 60 small Latin letters, digits and hyphens, such as "
                "“ece-1957-provisional-arrest-18”."
            ),
            extra={"field": "code"},
        )
    if DeadlineRule.objects.filter(code=code).exists():
        raise ValidationError(
            _("There is already a rule with the code “%(code)s”.") % {"code": code},
            extra={"field": "code"},
        )
    return code


@transaction.atomic
def deadline_rule_create(*, actor: Actor, code: str, **values: Any) -> DeadlineRule:
    """Add a deadline rule of the office's own, then give the open requests it applies to
    their due dates. Supervisors and administrators only."""
    audit_chain_reserve()
    authorize(actor, Action.EDIT_REFERENCE)
    unknown = set(values) - set(DEADLINE_RULE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"deadline_rule_create got unknown fields {sorted(unknown)}")
    code = _check_code(code)
    cleaned = deadline_rule_clean(values)
    # Added here, the rule is the office's own: a shipped rule with the same code, in a later
    # release, must not overwrite it.
    rule = DeadlineRule.objects.create(code=code, edited_at=timezone.now(), **cleaned)
    audit_record(
        actor=actor,
        action="deadline_rule_create",
        object_type="deadline_rule",
        object_id=rule.code,
        after=_rule_snapshot(rule),
    )
    _refresh_for_scopes(rule)
    return rule


@transaction.atomic
def deadline_rule_update(*, actor: Actor, rule: DeadlineRule, **changes: Any) -> DeadlineRule:
    """Change a deadline rule, mark it edited here (so `rogatory init` keeps it), and
    recompute the due dates of the open requests it applied to or now applies to."""
    audit_chain_reserve()
    authorize(actor, Action.EDIT_REFERENCE)
    unknown = set(changes) - set(DEADLINE_RULE_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These cannot be changed on a rule: %(fields)s.") % {"fields": ", ".join(unknown)},
            extra={"field": sorted(unknown)[0]},
        )
    rule = DeadlineRule.objects.select_for_update().get(pk=rule.pk)
    current = {field: getattr(rule, field) for field in DEADLINE_RULE_EDITABLE_FIELDS}
    cleaned = deadline_rule_clean({**current, **changes})
    before = _rule_snapshot(rule)
    if all(cleaned[field] == current[field] for field in DEADLINE_RULE_EDITABLE_FIELDS):
        return rule
    old_scope = {"direction": rule.direction, "kind": rule.kind, "treaty_id": rule.treaty_id}
    for field, value in cleaned.items():
        setattr(rule, field, value)
    rule.edited_at = timezone.now()
    rule.save()
    audit_record(
        actor=actor,
        action="deadline_rule_update",
        object_type="deadline_rule",
        object_id=rule.code,
        before=before,
        after=_rule_snapshot(rule),
    )
    _refresh_for_scopes(old_scope, rule)
    return rule


# --- the rules shipped with Rogatory -----------------------------------------------------------


def _shipped_rules() -> list[dict[str, str]]:
    path = resources.files("rogatory.deadlines").joinpath("data", "deadline-rules.csv")
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _number(value: str) -> int | None:
    value = value.strip()
    return int(value) if value else None


def deadline_rules_load() -> int:
    """Create or update the shipped deadline rules; return how many rules were written.

    Called by `reference_load` (`rogatory init`) inside its transaction, and audited with it.
    A rule a supervisor has edited or added here (`edited_at` set) keeps every editable field;
    rules no longer shipped are left alone. When the load changes any rule, the due dates of
    open requests are recomputed.
    """
    edited = set(
        DeadlineRule.objects.filter(edited_at__isnull=False).values_list("code", flat=True)
    )
    existing = {rule.code: _rule_snapshot(rule) for rule in DeadlineRule.objects.all()}
    written = 0
    changed = False
    for row in _shipped_rules():
        code = row["code"].strip()
        if code in edited:
            continue
        values = {
            "basis": row["basis"].strip(),
            "direction": row["direction"].strip(),
            "kind": row["kind"].strip(),
            "treaty_id": row["treaty"].strip() or None,
            "starts": row["starts"].strip(),
            "stops": row["stops"].strip(),
            "period_days": _number(row["period_days"]),
            "period_months": _number(row["period_months"]),
            "warn_days": int(row["warn_days"]),
            "name_en": row["name_en"].strip(),
            "name_ru": row["name_ru"].strip(),
            "source": row["source"].strip(),
            "source_url": row["source_url"].strip(),
            "position": int(row["position"]),
        }
        snapshot = existing.get(code)
        wanted = {("treaty" if key == "treaty_id" else key): value for key, value in values.items()}
        if snapshot is not None and all(snapshot[key] == value for key, value in wanted.items()):
            continue
        DeadlineRule.objects.update_or_create(code=code, defaults=values)
        written += 1
        changed = True
    if changed and Request.objects.exists():
        _refresh_for_scopes({"direction": "", "kind": "", "treaty_id": None})
    return written
