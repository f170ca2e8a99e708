"""Charts drawn with matplotlib as SVG text, shown in pages and documents as images.

Charts are drawn on a figure of their own, never through pyplot's global state. The style is
set through matplotlib's global settings for the time of one drawing, so drawings take turns.
Every label comes in translated: the charts know figures, not languages.
"""

import base64
import functools
import html
import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import matplotlib
from django.utils import translation
from django.utils.translation import gettext as _

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .breakdowns import YearRefusals
from .dashboard import CountryRefusals
from .publication import Publication
from .survival import SurvivalCurve

# The colours of the stylesheet: brand blue for political refusals, a pale blue for the rest.
_POLITICAL = "#1f3a5f"
_OTHER = "#9db9dc"
_INK = "#1b2430"
_INK_SOFT = "#4a5565"
_GRID = "#dde2ea"
# Curves of the time-to-decision chart, told apart by colour and by dash for print in grey.
_CURVE_STYLES = (
    ("#1f3a5f", "-"),
    ("#c2410c", "--"),
    ("#2f6fba", "-."),
    ("#1e7a46", ":"),
    ("#7a4fa3", "-"),
    ("#9a6200", "--"),
)

_STYLE = {
    # Text stays text, in a font every Debian box has, so that the page's reader can search it.
    "svg.fonttype": "none",
    "svg.hashsalt": "rogatory",
    "font.family": "DejaVu Sans",
    "font.size": 10,
}

# The report's bar chart names this many countries; its tables name them all.
REPORT_CHART_COUNTRIES = 15

_DRAWING = threading.Lock()
_XML_PREAMBLE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_SVG_TAG = re.compile(r"<svg\b[^>]*>")
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')
# matplotlib sizes its drawings in points; a CSS pixel is three quarters of a point.
_PIXELS_PER_POINT = 4 / 3


def refusals_by_country_svg(
    *,
    countries: Sequence[CountryRefusals],
    political_label: str,
    other_label: str,
    description: str,
) -> str:
    """Return a horizontal bar chart of refusals by country, the political part in dark blue.

    `description` becomes the chart's accessible name; the labels name the two parts of a bar.
    """
    return _refusals_by_country_svg(tuple(countries), political_label, other_label, description)


# Drawing takes a good part of a second and the figures change a few times a day, so the
# dashboard keeps the last drawings of each set of figures and labels.
@functools.lru_cache(maxsize=32)
def _refusals_by_country_svg(
    countries: tuple[CountryRefusals, ...], political_label: str, other_label: str, description: str
) -> str:
    with _DRAWING, matplotlib.rc_context(_STYLE):
        height = 0.9 + 0.38 * max(len(countries), 1)
        figure = Figure(figsize=(7.2, height), dpi=96)
        axes = figure.add_subplot()
        names = [country.name for country in countries]
        positions = list(range(len(countries)))
        political = [country.political for country in countries]
        other = [country.other for country in countries]
        axes.barh(positions, political, color=_POLITICAL, height=0.62, label=political_label)
        axes.barh(positions, other, left=political, color=_OTHER, height=0.62, label=other_label)
        for position, country in zip(positions, countries, strict=True):
            axes.annotate(
                str(country.refused),
                xy=(country.refused, position),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                color=_INK,
                fontweight="bold",
            )
        axes.set_yticks(positions, labels=names)
        axes.invert_yaxis()
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        highest = max((country.refused for country in countries), default=1)
        axes.set_xlim(0, highest * 1.12 + 0.5)
        axes.grid(axis="x", color=_GRID, linewidth=0.8)
        axes.set_axisbelow(True)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.spines["bottom"].set_color(_GRID)
        axes.tick_params(axis="y", length=0, colors=_INK)
        axes.tick_params(axis="x", colors=_INK_SOFT)
        axes.legend(
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncols=2,
            frameon=False,
            handlelength=1.2,
        )
        figure.tight_layout(pad=0.4)
        return _svg_text(figure, description=description)


@dataclass(frozen=True)
class StepCurve:
    """One line of the time-to-decision chart: the share still undecided from each day on.

    `days` start at 0 and rise; `undecided[i]` holds from `days[i]` to the next day. `median` is
    the day half of the requests were decided by, None when fewer than half were.
    """

    label: str
    days: tuple[float, ...]
    undecided: tuple[float, ...]
    median: float | None = None


@dataclass(frozen=True)
class ReportCharts:
    """The charts of a published report, as SVG text; "" where there is nothing to draw."""

    countries: str
    trend: str
    time_to_decision: str
    countries_shown: int
    countries_total: int


def report_charts(publication: Publication) -> ReportCharts:
    """Return the report's charts with labels in the publication's language."""
    with translation.override(publication.language):
        political, other = _("For political reasons"), _("On other grounds")
        countries = [
            CountryRefusals(
                code=line.code,
                name=line.name,
                refused=line.total,
                political=line.mla_political + line.extradition_political,
            )
            for line in publication.countries[:REPORT_CHART_COUNTRIES]
        ]
        year = publication.report.period_to.year
        trend = publication.refusal_trend
        curves = [
            step_curve(curve) for curve in publication.time_to_decision.by_kind if curve.timeline
        ]
        return ReportCharts(
            countries=refusals_by_country_svg(
                countries=countries,
                political_label=political,
                other_label=other,
                description=_("Refusals by country: legal assistance and extradition"),
            )
            if countries
            else "",
            trend=refusal_trend_svg(
                years=trend,
                mla_label=_("Legal assistance"),
                extradition_label=_("Extradition"),
                political_label=political,
                other_label=other,
                description=_("Refusals per year, %(first)d–%(last)d")
                % {"first": trend[0].year if trend else year, "last": year},
            )
            if any(line.political or line.other for line in trend)
            else "",
            time_to_decision=time_to_decision_svg(
                curves=curves,
                days_label=_("Days since the request was opened"),
                undecided_label=_("Share still undecided"),
                median_label=_("Median"),
                description=_("Share of requests still undecided, by days since opening"),
            )
            if curves
            else "",
            countries_shown=len(countries),
            countries_total=len(publication.countries),
        )


def step_curve(curve: SurvivalCurve) -> StepCurve:
    """Return a Kaplan–Meier curve as a line of the time-to-decision chart."""
    return StepCurve(
        label=curve.label,
        days=tuple(day for day, _share in curve.timeline),
        undecided=tuple(share for _day, share in curve.timeline),
        median=curve.median.days,
    )


def refusal_trend_svg(
    *,
    years: Sequence[YearRefusals],
    mla_label: str,
    extradition_label: str,
    political_label: str,
    other_label: str,
    description: str,
) -> str:
    """Return stacked bars of refusals per year, one panel per kind, the political part dark.

    `description` becomes the chart's accessible name; the kind labels title the two panels.
    """
    return _refusal_trend_svg(
        tuple(years), mla_label, extradition_label, political_label, other_label, description
    )


@functools.lru_cache(maxsize=32)
def _refusal_trend_svg(
    years: tuple[YearRefusals, ...],
    mla_label: str,
    extradition_label: str,
    political_label: str,
    other_label: str,
    description: str,
) -> str:
    with _DRAWING, matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7.2, 2.9), dpi=96)
        panels = figure.subplots(1, 2, sharey=True)
        labels = [str(line.year) for line in years]
        positions = list(range(len(years)))
        highest = max(
            (
                max(
                    line.mla_political + line.mla_other,
                    line.extradition_political + line.extradition_other,
                )
                for line in years
            ),
            default=0,
        )
        kinds = (
            (mla_label, [line.mla_political for line in years], [line.mla_other for line in years]),
            (
                extradition_label,
                [line.extradition_political for line in years],
                [line.extradition_other for line in years],
            ),
        )
        for axes, (title, political, other) in zip(panels, kinds, strict=True):
            axes.bar(positions, political, color=_POLITICAL, width=0.62, label=political_label)
            axes.bar(
                positions, other, bottom=political, color=_OTHER, width=0.62, label=other_label
            )
            for position, low, high in zip(positions, political, other, strict=True):
                axes.annotate(
                    str(low + high),
                    xy=(position, low + high),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    color=_INK,
                    fontweight="bold",
                    fontsize=9,
                )
            axes.set_title(title, color=_INK, fontsize=10, loc="left")
            axes.set_xticks(positions, labels=labels)
            _quiet_axes(axes, grid="y")
        panels[0].yaxis.set_major_locator(MaxNLocator(integer=True))
        panels[0].set_ylim(0, max(highest, 1) * 1.15)
        handles, names = panels[0].get_legend_handles_labels()
        figure.legend(
            handles,
            names,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=2,
            frameon=False,
            handlelength=1.2,
        )
        figure.tight_layout(pad=0.4, rect=(0, 0.12, 1, 1))
        return _svg_text(figure, description=description)


def time_to_decision_svg(
    *,
    curves: Sequence[StepCurve],
    days_label: str,
    undecided_label: str,
    median_label: str,
    description: str,
) -> str:
    """Return step curves of the share of requests still undecided, the medians marked.

    `days_label` and `undecided_label` name the axes; `median_label` names the median's mark.
    """
    return _time_to_decision_svg(
        tuple(curves), days_label, undecided_label, median_label, description
    )


@functools.lru_cache(maxsize=32)
def _time_to_decision_svg(
    curves: tuple[StepCurve, ...],
    days_label: str,
    undecided_label: str,
    median_label: str,
    description: str,
) -> str:
    with _DRAWING, matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7.2, 3.4), dpi=96)
        axes = figure.add_subplot()
        longest = 0.0
        marked = False
        for index, curve in enumerate(curves):
            colour, dash = _CURVE_STYLES[index % len(_CURVE_STYLES)]
            if not curve.days:
                continue
            longest = max(longest, curve.days[-1])
            axes.step(
                curve.days,
                [share * 100 for share in curve.undecided],
                where="post",
                color=colour,
                linestyle=dash,
                linewidth=1.8,
                label=curve.label,
            )
            if curve.median is not None:
                axes.vlines(
                    curve.median, 0, 50, colors=colour, linestyles=":", linewidth=1, zorder=1
                )
                axes.plot(
                    [curve.median],
                    [50],
                    marker="o",
                    markersize=6,
                    color=colour,
                    markeredgecolor="white",
                    linestyle="none",
                    label=None if marked else median_label,
                )
                axes.annotate(
                    f"{curve.median:g}",
                    xy=(curve.median, 50),
                    xytext=(4, 4 + 11 * index),
                    textcoords="offset points",
                    color=colour,
                    fontsize=8.5,
                    fontweight="bold",
                )
                marked = True
        axes.axhline(50, color=_GRID, linewidth=1, linestyle="--", zorder=0)
        axes.set_ylim(0, 102)
        axes.set_xlim(0, max(longest, 1) * 1.02)
        axes.set_yticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"])
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(days_label, color=_INK_SOFT)
        axes.set_ylabel(undecided_label, color=_INK_SOFT)
        _quiet_axes(axes, grid="both")
        axes.legend(loc="upper right", frameon=False, handlelength=2.2, fontsize=9)
        figure.tight_layout(pad=0.4)
        return _svg_text(figure, description=description)


def _quiet_axes(axes, *, grid: str) -> None:
    axes.grid(axis=grid, color=_GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(_GRID)
    axes.tick_params(axis="both", colors=_INK_SOFT)
    axes.tick_params(axis="x", length=0, labelcolor=_INK)


def svg_image(svg: str) -> str:
    """Return the HTML <img> that shows the chart `svg`, its accessible name as the alt text.

    The image is a data: URL. Inside an image the chart's own styles apply to it alone, so a
    strict Content Security Policy needs no exception for them, and no script in an SVG can
    ever run in the page.
    """
    tag = _SVG_TAG.search(svg)
    attributes = dict(_ATTRIBUTE.findall(tag.group(0))) if tag else {}
    alt = html.unescape(attributes.get("aria-label", ""))
    size = ""
    for name in ("width", "height"):
        value = attributes.get(name, "")
        if value.endswith("pt"):
            size += f' {name}="{round(float(value[:-2]) * _PIXELS_PER_POINT)}"'
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
    return f'<img class="chart-image" src="{source}" alt="{escape(alt, quote=True)}"{size}>'


def _svg_text(figure: Figure, *, description: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = _XML_PREAMBLE.sub("", buffer.getvalue(), count=1)
    label = escape(description, quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
