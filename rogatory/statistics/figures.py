"""The figures of a period report (Report v1): one frozen dataclass per kind, and the report."""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

# Days from opening to decision: an int when whole, a float halfway between two days, or None.
Median = int | float | None

_MAPS = ("refused_by_country", "refused_political_by_country", "refused_by_ground")


def _normalise_maps(figures: Any) -> None:
    # Zero entries carry no information and DESIGN leaves them out; keys are sorted so that
    # two equal reports compare and render the same.
    for name in _MAPS:
        counts = getattr(figures, name)
        object.__setattr__(
            figures, name, {key: counts[key] for key in sorted(counts) if counts[key]}
        )


@dataclass(frozen=True)
class _KindFigures:
    """The figures both kinds of request have, in one period and direction."""

    sent: int = 0
    refused: int = 0
    withdrawn: int = 0
    refused_political: int = 0
    refused_by_country: Mapping[str, int] = field(default_factory=dict)
    refused_political_by_country: Mapping[str, int] = field(default_factory=dict)
    refused_by_ground: Mapping[str, int] = field(default_factory=dict)
    pending_at_end: int = 0
    median_days_to_decision: Median = None

    def __post_init__(self) -> None:
        _normalise_maps(self)

    def as_dict(self) -> dict[str, Any]:
        """Return the figures under the keys of DESIGN's JSON."""
        return {
            name: dict(value) if name in _MAPS else value
            for name, value in ((f.name, getattr(self, f.name)) for f in fields(self))
        }


@dataclass(frozen=True)
class MlaFigures(_KindFigures):
    """The figures for requests for mutual legal assistance in one period and direction."""

    executed: int = 0
    partially_executed: int = 0

    @property
    def fulfilled(self) -> int:
        """Return the requests executed in full or in part."""
        return self.executed + self.partially_executed

    def as_dict(self) -> dict[str, Any]:
        """Return the figures under the keys of DESIGN's JSON, `fulfilled` included."""
        return {**super().as_dict(), "fulfilled": self.fulfilled}


@dataclass(frozen=True)
class ExtraditionFigures(_KindFigures):
    """The figures for extradition requests in one period and direction."""

    granted: int = 0
    granted_persons: int = 0
    refused_persons: int = 0


Figures = MlaFigures | ExtraditionFigures


@dataclass(frozen=True)
class Report:
    """The period report: the figures of both kinds for one direction and period."""

    period_from: date
    period_to: date
    direction: str
    mla: MlaFigures
    extradition: ExtraditionFigures
    # The moment the figures are known at: None for the register as it stands now.
    as_of: datetime | None = None

    @property
    def is_whole_years(self) -> bool:
        """Return whether the period runs from a 1 January to a 31 December."""
        return (self.period_from.month, self.period_from.day) == (1, 1) and (
            self.period_to.month,
            self.period_to.day,
        ) == (12, 31)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as DESIGN's JSON object, with `as_of` when it is known at a moment."""
        result: dict[str, Any] = {
            "period": {"from": self.period_from.isoformat(), "to": self.period_to.isoformat()},
            "direction": self.direction,
        }
        if self.as_of is not None:
            result["as_of"] = self.as_of.isoformat()
        return result | {"mla": self.mla.as_dict(), "extradition": self.extradition.as_dict()}
