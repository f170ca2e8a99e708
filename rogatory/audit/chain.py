"""The hash chain over the audit trail: what each record's hash covers, and how it is computed.

Record n's hash is the SHA-256 of a canonical JSON text of its contents and of record n-1's hash,
so that changing any record changes its hash and breaks the link from the record after it. The
writers and the verifier both call `record_hash`; the two must never disagree about the text.

The text must be the same whether computed from the values about to be written or from the
values read back, on SQLite and on PostgreSQL alike: keys are sorted (jsonb does not keep their
order), moments are written in UTC to the microsecond (what both databases store), and `before`
and `after` go through `stored_json` before they are written, so that they are hashed as the
database will give them back (tuples come back as lists, integer keys as strings).
"""

import functools
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
# What a record's hash covers: the names of `record_hash`'s arguments and of the model's fields.
CHAINED_FIELDS = (
    "sequence",
    "at",
    "actor_id",
    "actor_label",
    "client_address",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "previous_hash",
)


def record_hash(
    *,
    sequence: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    client_address: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    previous_hash: str,
) -> str:
    """Return the hex SHA-256 that chains an audit record with these contents to its predecessor."""
    text = json.dumps(
        {
            "sequence": sequence,
            "at": canonical_time(at),
            "actor_id": actor_id,
            "actor_label": actor_label,
            "client_address": client_address,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
            "previous_hash": previous_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


# A bulk write gives all its records one moment; so does the import the verifier reads back.
@functools.lru_cache(maxsize=1024)
def canonical_time(at: datetime) -> str:
    """Return `at` as the chain writes moments: ISO 8601 in UTC, to the microsecond."""
    # Naive moments only occur with USE_TZ off, when Django stores them as they are; the
    # project runs in UTC then too.
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def stored_json(value: Any) -> Any:
    """Return `value` as a JSON field gives it back after it is written.

    Integral floats of 1e16 and more are the one known difference this cannot see: PostgreSQL
    gives them back as integers. Snapshots in the trail hold text, integers and booleans.
    """
    if value is None:
        return None
    # Nearly every value is a flat snapshot, which comes back as it went in; recognising one is
    # cheaper than the round trip, and an import writes 100,000 of them.
    if type(value) is dict and all(
        type(key) is str and type(item) in _UNCHANGED_BY_JSON for key, item in value.items()
    ):
        return value
    return json.loads(json.dumps(value))


_UNCHANGED_BY_JSON = frozenset({str, int, float, bool, type(None)})
