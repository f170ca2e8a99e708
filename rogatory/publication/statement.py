"""The office's yearly public statement: the figures, the offences, and approved examples.

It reads like the statement of 2023 (`reference/statement-2023.txt` in the shared folder): the
refusals of legal assistance with the political ones by country, examples of refusals, the
extradition refusals, the offences of the persons refused for political reasons, the positive
figures and examples of good cooperation. It never names a request, a person or a note: the
only free text is the approved public summaries.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext, pgettext_lazy

from rogatory.core.exceptions import ValidationError
from rogatory.core.formats import format_count
from rogatory.core.languages import language_check
from rogatory.register.models import Direction
from rogatory.statistics.figures import Report
from rogatory.statistics.narrative import (
    narrative_country_counts,
    narrative_join_names,
    narrative_outgoing_mla,
    narrative_period,
    narrative_with_political,
)
from rogatory.statistics.selectors import report_build, report_country_names

from .models import Example
from .selectors import OffenceCount, StatementExample, statement_examples, statement_offences

FIRST_YEAR, LAST_YEAR = 1900, 9999

# "in <month> <year>" in running text; Russian needs the prepositional case CLDR does not give.
_IN_MONTH = (
    pgettext_lazy("statement", "in January %(year)s"),
    pgettext_lazy("statement", "in February %(year)s"),
    pgettext_lazy("statement", "in March %(year)s"),
    pgettext_lazy("statement", "in April %(year)s"),
    pgettext_lazy("statement", "in May %(year)s"),
    pgettext_lazy("statement", "in June %(year)s"),
    pgettext_lazy("statement", "in July %(year)s"),
    pgettext_lazy("statement", "in August %(year)s"),
    pgettext_lazy("statement", "in September %(year)s"),
    pgettext_lazy("statement", "in October %(year)s"),
    pgettext_lazy("statement", "in November %(year)s"),
    pgettext_lazy("statement", "in December %(year)s"),
)
# A summary may begin as a sentence does; after "For example, in May 2023," these go lower case.
_ARTICLES = ("The ", "A ", "An ")
_SENTENCE_ENDS = (".", "!", "?", "…")
_CLOSING_QUOTES = ("”", "»", '"', "’", "'", ")")


@dataclass(frozen=True)
class Statement:
    """Everything the statement of one year says, as known now or at `as_of`."""

    year: int
    # The outgoing Report v1 for the whole year.
    report: Report
    # Country names of the report's maps, by ISO code, in each language.
    country_names_en: Mapping[str, str]
    country_names_ru: Mapping[str, str]
    # Offence categories of the extradition requests refused for political reasons.
    offences: tuple[OffenceCount, ...]
    refusal_examples: tuple[StatementExample, ...]
    cooperation_examples: tuple[StatementExample, ...]
    as_of: datetime | None = None

    @property
    def mla_political_by_country(self) -> Mapping[str, int]:
        """Return the requests for legal assistance refused for political reasons, by country."""
        return self.report.mla.refused_political_by_country

    @property
    def extradition_political_by_country(self) -> Mapping[str, int]:
        """Return the extradition requests refused for political reasons, by country."""
        return self.report.extradition.refused_political_by_country

    def country_names(self, language: str) -> Mapping[str, str]:
        """Return the country names in `language`."""
        return self.country_names_ru if language.startswith("ru") else self.country_names_en


def statement_build(*, year: int, as_of: datetime | None = None) -> Statement:
    """Return the statement of `year` about our outgoing requests, now or as known at `as_of`."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("The year must be between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            extra={"field": "year"},
        )
    report = report_build(
        period_from=date(year, 1, 1),
        period_to=date(year, 12, 31),
        direction=Direction.OUTGOING,
        as_of=as_of,
    )
    examples = statement_examples(year=year, as_of=as_of)
    return Statement(
        year=year,
        report=report,
        country_names_en=report_country_names(report=report, language="en"),
        country_names_ru=report_country_names(report=report, language="ru"),
        offences=statement_offences(year=year, as_of=as_of),
        refusal_examples=tuple(e for e in examples if e.category == Example.Category.REFUSAL),
        cooperation_examples=tuple(
            e for e in examples if e.category == Example.Category.COOPERATION
        ),
        as_of=as_of,
    )


def statement_paragraphs(statement: Statement, *, language: str) -> list[str]:
    """Return the statement's paragraphs in `language`."""
    language_check(language)
    with translation.override(language):
        report = statement.report
        period = narrative_period(report, language=language)
        names = statement.country_names(language)
        positive = _positive(report, period=period)
        cooperation = _examples(statement.cooperation_examples, language=language)
        paragraphs = [
            _mla_refusals(report, period=period, names=names),
            _examples(statement.refusal_examples, language=language),
            _extradition_refusals(report, period=period, names=names),
            _offences(statement.offences, language=language),
        ]
        if positive or cooperation:
            opening = _("At the same time, there were also positive examples of cooperation.")
            paragraphs += [f"{opening} {positive}".strip(), cooperation]
        paragraphs = [paragraph for paragraph in paragraphs if paragraph]
        if not paragraphs:
            paragraphs = [
                _("%(period)s foreign states took no decisions on our requests.")
                % {"period": period}
            ]
        return paragraphs


def statement_render_text(statement: Statement, *, language: str) -> str:
    """Return the whole statement as plain text in `language`, paragraphs apart."""
    return "\n\n".join(statement_paragraphs(statement, language=language)) + "\n"


def statement_render_html(statement: Statement, *, language: str) -> str:
    """Return the statement's paragraphs as HTML, with no page around them."""
    paragraphs = statement_paragraphs(statement, language=language)
    with translation.override(language):
        return render_to_string(
            "web/publication/_statement.html", {"paragraphs": paragraphs, "language": language}
        )


def _mla_refusals(report: Report, *, period: str, names: Mapping[str, str]) -> str:
    if not report.mla.refused:
        return ""
    countries = narrative_country_counts(report.mla.refused_political_by_country, names)
    return narrative_outgoing_mla(report, period=period, countries=countries)


def _extradition_refusals(report: Report, *, period: str, names: Mapping[str, str]) -> str:
    extradition = report.extradition
    if not extradition.refused:
        return ""
    requests = npgettext(
        "foreign states refused",
        "%(count)s extradition request",
        "%(count)s extradition requests",
        extradition.refused,
    ) % {"count": format_count(extradition.refused)}
    opening = pgettext("extradition", "%(period)s foreign states refused %(requests)s") % {
        "period": period,
        "requests": requests,
    }
    countries = narrative_country_counts(extradition.refused_political_by_country, names)
    return narrative_with_political(opening, extradition, countries)


def _offences(offences: tuple[OffenceCount, ...], *, language: str) -> str:
    if not offences:
        return ""
    items = [
        npgettext(
            "offence of refused requests",
            "%(offence)s (%(count)s request)",
            "%(offence)s (%(count)s requests)",
            offence.requests,
        )
        % {
            "offence": _lower_first(offence.name_in(language)),
            "count": format_count(offence.requests),
        }
        for offence in offences
    ]
    listed = items[0] if len(items) == 1 else narrative_join_names(items)
    return _(
        "Among the persons whose extradition was refused for political reasons are those "
        "sought for %(offences)s."
    ) % {"offences": listed}


def _positive(report: Report, *, period: str) -> str:
    persons, fulfilled = report.extradition.granted_persons, report.mla.fulfilled
    actions = []
    if persons:
        actions.append(
            npgettext(
                "foreign states",
                "decided to extradite %(count)s person",
                "decided to extradite %(count)s persons",
                persons,
            )
            % {"count": format_count(persons)}
        )
    if fulfilled:
        actions.append(
            npgettext(
                "foreign states",
                "fulfilled %(count)s request for legal assistance",
                "fulfilled %(count)s requests for legal assistance",
                fulfilled,
            )
            % {"count": format_count(fulfilled)}
        )
    if not actions:
        return ""
    joined = actions[0] if len(actions) == 1 else narrative_join_names(actions)
    return _("%(period)s the competent authorities of foreign states %(actions)s.") % {
        "period": period,
        "actions": joined,
    }


def _examples(examples: tuple[StatementExample, ...], *, language: str) -> str:
    """Return the examples written in `language` as one paragraph, the first "For example"."""
    sentences = []
    for example in examples:
        summary = example.summary_in(language)
        if not summary:
            continue
        words = {"when": _in_month(example.month), "summary": _continued(summary)}
        if not sentences:
            sentences.append(_("For example, %(when)s, %(summary)s") % words)
        else:
            sentences.append(capfirst(_("%(when)s, %(summary)s") % words))
    return " ".join(sentences)


def _in_month(month: date) -> str:
    return str(_IN_MONTH[month.month - 1]) % {"year": month.year}


def _continued(summary: str) -> str:
    """Return a summary fit to continue a sentence, ending with a full stop."""
    summary = summary.strip()
    if summary.startswith(_ARTICLES):
        summary = _lower_first(summary)
    body = summary.rstrip("".join(_CLOSING_QUOTES))
    if not body.endswith(_SENTENCE_ENDS):
        summary = f"{summary}."
    return summary


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
