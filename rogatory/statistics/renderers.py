"""Renderers: a Report as JSON, CSV or text. They work on the dataclasses and never query."""

import csv
import io
import json
from collections.abc import Mapping

from rogatory.core.spreadsheet import csv_row

from .figures import Report
from .narrative import narrative_write

FORMATS = ("text", "json", "csv")

CSV_HEADER = ("direction", "period_from", "period_to", "kind", "figure", "key", "value")


def render_json(report: Report) -> str:
    """Return the report as DESIGN's JSON document, keys sorted."""
    return json.dumps(report.as_dict(), sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def render_csv(report: Report) -> str:
    """Return the report as a long table: one row per scalar figure and per map entry."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    common = (report.direction, report.period_from.isoformat(), report.period_to.isoformat())
    for kind, figures in (("mla", report.mla), ("extradition", report.extradition)):
        for figure, value in figures.as_dict().items():
            if isinstance(value, Mapping):
                for key, count in value.items():
                    writer.writerow(csv_row((*common, kind, figure, key, count)))
            else:
                value = "" if value is None else value
                writer.writerow(csv_row((*common, kind, figure, "", value)))
    return stream.getvalue()


def render_text(report: Report, *, language: str, country_names: Mapping[str, str]) -> str:
    """Return the report's published paragraph in `language`."""
    return narrative_write(report, language=language, country_names=country_names) + "\n"


def render(report: Report, *, format: str, language: str, country_names: Mapping[str, str]) -> str:
    """Return the report in `format`, one of FORMATS."""
    if format == "json":
        return render_json(report)
    if format == "csv":
        return render_csv(report)
    return render_text(report, language=language, country_names=country_names)
