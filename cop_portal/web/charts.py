"""The portal's one chart: horizontal bars drawn on the server as SVG (templates/includes/
_bar_chart.html), with presentation attributes only, so the Content-Security-Policy needs no
inline styles or scripts. Every chart has a table beside it with the same numbers."""

from django.utils.text import Truncator

# The horizontal bar charts, in SVG user units: a label line above each bar (or group of bars).
CHART_WIDTH = 480
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
BAR_GAP = 2
ROW_GAP = 10
LEGEND_HEIGHT = 22
LABEL_CHARS = 50
# Both colours have at least 3:1 contrast with white, as WCAG asks of graphics.
BLUE = "#005eb8"
GREEN = "#00703c"


def _width(value, peak) -> str:
    """A bar's width as a percentage of the chart's: a value above zero always shows."""
    if not value or not peak:
        return "0"
    return f"{max(100 * value / peak, 0.5):.1f}"


def bar_chart(key, title, description, rows, *, series=(("", BLUE),), peak=None) -> dict:
    """A horizontal bar chart for includes/_bar_chart.html.

    `rows` are (label, values, text): one value per series, and the text said after the label.
    Widths are percentages of the largest value (or of `peak`, when the scale has a fixed top)."""
    if peak is None:
        peak = max((v for _, values, _ in rows for v in values if v), default=0)
    legend = []
    y = 0
    if len(series) > 1:
        x = 0
        for name, fill in series:
            legend.append({"name": name, "fill": fill, "x": x, "text_x": x + 16})
            x += 16 + 8 * len(name) + 16
        y = LEGEND_HEIGHT
    drawn = []
    for label, values, text in rows:
        bars = []
        for index, ((_, fill), value) in enumerate(zip(series, values, strict=True)):
            bar_y = y + LABEL_HEIGHT + index * (BAR_HEIGHT + BAR_GAP)
            bars.append({"y": bar_y, "width": _width(value, peak), "fill": fill})
        shown = f"{Truncator(label).chars(LABEL_CHARS)}: {text}"
        drawn.append({"label": shown, "text_y": y + 13, "bars": bars})
        y += LABEL_HEIGHT + len(series) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    return {
        "id": f"chart-{key}",
        "title": title,
        "description": description,
        "legend": legend,
        "rows": drawn,
        "width": CHART_WIDTH,
        "height": max(y, 1),
        "bar_height": BAR_HEIGHT,
    }
