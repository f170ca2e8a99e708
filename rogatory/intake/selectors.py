"""Reads for the register import and export: reference lookups, requests fetched per batch, jobs."""

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from rogatory.accounts.models import User
from rogatory.core.exceptions import NotFoundError
from rogatory.reference.models import OffenceCategory, RefusalGround, Treaty
from rogatory.reference.selectors import country_lookup
from rogatory.register.models import Event, Person, Request, RequestGround

from .models import RegisterJob

RequestKey = tuple[str, str]  # (direction, reference)

EXPORT_FIELDS = (
    "id",
    "reference",
    "direction",
    "kind",
    "country_id",
    "counterpart_authority",
    "legal_basis_id",
    "purpose",
    "persons_count",
    "offence_category_id",
    "offence_description",
    "money_laundering",
    "terrorist_financing",
    "opened_on",
    "outcome",
    "decided_on",
    "political",
    "notes",
)


@dataclass(frozen=True)
class RegisterLookups:
    """The reference data a register row is checked against, read once per import."""

    countries: dict[str, str]  # casefolded spelling → ISO code
    treaties: dict[str, str]  # casefolded code → code
    grounds: dict[str, RefusalGround]  # casefolded code → ground
    offence_categories: frozenset[str]


def register_lookups() -> RegisterLookups:
    """Return the countries, legal bases, refusal grounds and offence categories rows may name."""
    return RegisterLookups(
        countries=country_lookup(),
        treaties={code.casefold(): code for code in Treaty.objects.values_list("code", flat=True)},
        grounds={ground.code.casefold(): ground for ground in RefusalGround.objects.all()},
        offence_categories=frozenset(OffenceCategory.objects.values_list("code", flat=True)),
    )


def requests_by_key(*, keys: Iterable[RequestKey]) -> dict[RequestKey, Request]:
    """Return the registered requests among `keys`, locked for update, in one query."""
    condition = _keys_condition(keys)
    if condition is None:
        return {}
    return {
        (request.direction, request.reference): request
        for request in Request.objects.select_for_update().filter(condition).order_by()
    }


def _keys_condition(keys: Iterable[RequestKey]) -> Q | None:
    references: dict[str, list[str]] = defaultdict(list)
    for direction, reference in keys:
        references[direction].append(reference)
    if not references:
        return None
    condition = Q()
    for direction, names in references.items():
        condition |= Q(direction=direction, reference__in=names)
    return condition


def named_person_counts(*, request_ids: Iterable[int]) -> dict[int, int]:
    """Return how many persons sought are named in each of the requests."""
    ids = list(request_ids)
    if not ids:
        return {}
    return dict(
        Person.objects.filter(request_id__in=ids)
        .order_by()
        .values("request_id")
        .annotate(named=Count("id"))
        .values_list("request_id", "named")
    )


def register_export_batches(
    *,
    direction: str | None = None,
    unit_ids: Collection[int] | None = None,
    batch_size: int = 2000,
) -> Iterator[list[dict[str, Any]]]:
    """Yield the opened requests in batches, each row with its grounds and acknowledgement date.

    `unit_ids` keeps only the requests of those units; None keeps every unit's.
    """
    requests = Request.objects.filter(opened_on__isnull=False).order_by("id")
    if direction:
        requests = requests.filter(direction=direction)
    if unit_ids is not None:
        requests = requests.filter(unit_id__in=list(unit_ids))
    stream = requests.values(*EXPORT_FIELDS).iterator(chunk_size=batch_size)
    while batch := list(islice(stream, batch_size)):
        ids = [row["id"] for row in batch]
        grounds: dict[int, list[str]] = defaultdict(list)
        for request_id, code in (
            RequestGround.objects.filter(request_id__in=ids)
            .order_by("request_id", "ground_id")
            .values_list("request_id", "ground_id")
        ):
            grounds[request_id].append(code)
        acknowledged = dict(
            Event.objects.filter(request_id__in=ids, type=Event.Type.ACKNOWLEDGED)
            .order_by("request_id", "recorded_at", "id")
            .values_list("request_id", "occurred_on")
        )
        for row in batch:
            row["grounds"] = grounds.get(row["id"], [])
            row["acknowledged_on"] = acknowledged.get(row["id"])
        yield batch


def register_job_get(
    *, user: User, job_id: int, kinds: Collection[str] | None = None
) -> RegisterJob:
    """Return one of `user`'s own register jobs (of `kinds`, if given); no other is found."""
    jobs = RegisterJob.objects.select_related("unit").filter(pk=job_id, requested_by=user)
    if kinds is not None:
        jobs = jobs.filter(kind__in=list(kinds))
    job = jobs.first()
    if job is None:
        raise NotFoundError(_("There is no such job."))
    return job


def register_jobs_recent(
    *, user: User, kinds: Collection[str], limit: int = 10
) -> QuerySet[RegisterJob]:
    """Return `user`'s newest register jobs of `kinds`, newest first."""
    return RegisterJob.objects.filter(requested_by=user, kind__in=list(kinds)).select_related(
        "unit"
    )[:limit]
