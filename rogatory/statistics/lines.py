"""The report's figures, refusals by country and by ground as labelled lines for tables.

The report page, the PDF and the workbook lay out the same lines; names of countries and
grounds come in as maps, so building lines never queries.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy, pgettext_lazy

from rogatory.register.models import Direction

from .figures import Report

# The figures in the order a reader takes them in: what came in, what was decided, what is left.
# A figure missing from a kind (granted for MLA, executed for extradition) is left blank.
_FIGURES: tuple[tuple[str, object], ...] = (
    ("sent", None),  # labelled by direction
    ("executed", gettext_lazy("Executed")),
    ("partially_executed", gettext_lazy("Partially executed")),
    ("fulfilled", gettext_lazy("Fulfilled (executed in full or in part)")),
    ("granted", gettext_lazy("Extradition granted")),
    ("granted_persons", gettext_lazy("Persons to be extradited")),
    ("refused", gettext_lazy("Refused")),
    ("refused_political", gettext_lazy("Refused for political reasons")),
    ("refused_persons", gettext_lazy("Persons in refused requests")),
    ("withdrawn", gettext_lazy("Withdrawn")),
    ("pending_at_end", gettext_lazy("Pending at the end of the period")),
    ("median_days_to_decision", gettext_lazy("Median days to decision")),
)
OPENED_LABELS = {
    Direction.OUTGOING: pgettext_lazy("requests", "Sent"),
    Direction.INCOMING: pgettext_lazy("requests", "Received"),
}


@dataclass(frozen=True)
class FigureLine:
    """One figure of the report with its label; a value is None where the kind lacks it."""

    key: str
    label: str
    mla: int | float | None
    extradition: int | float | None
    mla_applies: bool
    extradition_applies: bool


@dataclass(frozen=True)
class CountryLine:
    """Refusals by one country, both kinds."""

    code: str
    name: str
    mla_refused: int
    mla_political: int
    extradition_refused: int
    extradition_political: int

    @property
    def total(self) -> int:
        return self.mla_refused + self.extradition_refused


@dataclass(frozen=True)
class GroundLine:
    """Refused requests citing one ground, both kinds."""

    code: str
    name: str
    mla: int
    extradition: int

    @property
    def total(self) -> int:
        return self.mla + self.extradition


def figure_lines(report: Report) -> list[FigureLine]:
    """Return every figure of the report with its label in the active language."""
    mla, extradition = report.mla.as_dict(), report.extradition.as_dict()
    lines = []
    for key, label in _FIGURES:
        lines.append(
            FigureLine(
                key=key,
                label=str(label if label is not None else OPENED_LABELS[report.direction]),
                mla=mla.get(key),
                extradition=extradition.get(key),
                mla_applies=key in mla,
                extradition_applies=key in extradition,
            )
        )
    return lines


def country_lines(report: Report, country_names: Mapping[str, str]) -> list[CountryLine]:
    """Return refusals by country, most refusals first, then by name."""
    codes = set(report.mla.refused_by_country) | set(report.extradition.refused_by_country)
    lines = [
        CountryLine(
            code=code,
            name=country_names.get(code, code),
            mla_refused=report.mla.refused_by_country.get(code, 0),
            mla_political=report.mla.refused_political_by_country.get(code, 0),
            extradition_refused=report.extradition.refused_by_country.get(code, 0),
            extradition_political=report.extradition.refused_political_by_country.get(code, 0),
        )
        for code in codes
    ]
    return sorted(lines, key=lambda line: (-line.total, line.name.casefold()))


def ground_lines(report: Report, ground_names: Mapping[str, str]) -> list[GroundLine]:
    """Return refused requests by ground, most cited first, then by name."""
    codes = set(report.mla.refused_by_ground) | set(report.extradition.refused_by_ground)
    lines = [
        GroundLine(
            code=code,
            name=ground_names.get(code, code),
            mla=report.mla.refused_by_ground.get(code, 0),
            extradition=report.extradition.refused_by_ground.get(code, 0),
        )
        for code in codes
    ]
    return sorted(lines, key=lambda line: (-line.total, line.name.casefold()))
