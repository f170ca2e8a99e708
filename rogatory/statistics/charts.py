"""Charts drawn with matplotlib as SVG text, to be placed inline in pages and documents.

Charts are drawn on a figure of their own, never through pyplot's global state. The style is
set through matplotlib's global settings for the time of one drawing, so drawings take turns.
"""

import functools
import io
import re
import threading
from collections.abc import Sequence
from html import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .dashboard import CountryRefusals

# The colours of the stylesheet: brand blue for political refusals, a pale blue for the rest.
_POLITICAL = "#1f3a5f"
_OTHER = "#9db9dc"
_INK = "#1b2430"
_INK_SOFT = "#4a5565"
_GRID = "#dde2ea"

_STYLE = {
    # Text stays text, in a font every Debian box has, so that the page's reader can search it.
    "svg.fonttype": "none",
    "svg.hashsalt": "rogatory",
    "font.family": "DejaVu Sans",
    "font.size": 10,
}

_DRAWING = threading.Lock()
_XML_PREAMBLE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


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


def _svg_text(figure: Figure, *, description: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = _XML_PREAMBLE.sub("", buffer.getvalue(), count=1)
    label = escape(description, quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
