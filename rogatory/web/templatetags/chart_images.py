"""Charts in pages: SVG drawings shown as images, so that the page's strict CSP holds."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from rogatory.statistics.charts import svg_image

register = template.Library()


@register.filter
def chart_image(svg: str) -> SafeString:
    """Return the <img> of a chart drawn by rogatory.statistics.charts, or "" for no chart."""
    if not svg:
        return mark_safe("")
    # svg_image escapes the alt text, and the drawing itself travels base64-encoded.
    return mark_safe(svg_image(svg))
