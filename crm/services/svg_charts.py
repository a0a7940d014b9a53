"""Small bar charts drawn on the server as inline SVG: no script, they print, CSP-safe.

Colours and sizes are SVG presentation attributes (`fill=`, `font-size=`), which a
`style-src 'self'` policy allows, unlike `style=`. Every piece of text is escaped. Each
chart is one image to assistive technology (role="img", a label, <title> and <desc>);
the page shows the same numbers in a table next to it.

The layout puts each label on its own line above its bars, so a chart stays readable
when it is scaled down to a phone's width.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 320
LABEL_SIZE = 14
VALUE_SIZE = 12
BAR = 13
BAR_GAP = 3
ROW_GAP = 12
LABEL_GAP = 5
VALUE_ROOM = 56  # to the right of the longest bar, for its number
MAX_LABEL = 40
TEXT = "#1d2330"
MUTED = "#5d6675"
FALLBACK = "#8a93a3"
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Series:
    """One set of bars drawn in one colour, named in the legend."""

    name: str
    color: str


@dataclass(frozen=True)
class Row:
    """A label and its bars: one value per series (colour overrides the series' colour)."""

    label: str
    values: Sequence[float]
    colors: Sequence[str | None] = ()


def _colour(value: str | None) -> str:
    return value if value and _COLOUR.fullmatch(value) else FALLBACK


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _legend(series: Sequence[Series]) -> tuple[list[Markup], int]:
    """Swatches and names in one line (wrapping when full), and the height used."""
    parts, x, y = [], 0, 0
    for s in series:
        room = 18 + min(len(s.name), 30) * 9 + 16  # Cyrillic runs wider than 7 px a letter
        if x and x + room > WIDTH:
            x, y = 0, y + 18
        parts.append(
            Markup(
                '<rect x="{}" y="{}" width="12" height="12" rx="2" fill="{}"/>'
                '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>'
            ).format(x, y + 2, _colour(s.color), x + 18, y + 12, VALUE_SIZE + 1, TEXT, s.name)
        )
        x += room
    return parts, (y + 26 if series else 0)


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[Row],
    series: Sequence[Series],
    fmt: Callable[[float], str] = str,
) -> Markup:
    """Horizontal bars, one group per row; with several series a legend names them."""
    parts, top = _legend(series) if len(series) > 1 else ([], 0)
    peak = max((v for row in rows for v in row.values), default=0) or 1
    scale = (WIDTH - VALUE_ROOM) / peak
    y = top
    for row in rows:
        y += LABEL_SIZE
        parts.append(
            Markup('<text x="0" y="{}" font-size="{}" fill="{}"><title>{}</title>{}</text>').format(
                y, LABEL_SIZE, TEXT, row.label, _short(row.label)
            )
        )
        y += LABEL_GAP
        for i, value in enumerate(row.values):
            own = row.colors[i] if i < len(row.colors) else None
            width = round(value * scale, 1)
            parts.append(
                Markup(
                    "<g><title>{}</title>"
                    '<rect x="0" y="{}" width="{}" height="{}" rx="2" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="{}" fill="{}">{}</text></g>'
                ).format(
                    f"{row.label} · {series[i].name}: {fmt(value)}",
                    y,
                    width,
                    BAR,
                    _colour(own or series[i].color),
                    round(width + 4, 1),
                    y + BAR - 2,
                    VALUE_SIZE,
                    MUTED,
                    fmt(value),
                )
            )
            y += BAR + BAR_GAP
        y += ROW_GAP - BAR_GAP
    height = max(y, top + 20)
    return Markup(
        '<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-label="{title}" aria-describedby="{id}-desc" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>'
    ).format(
        id=chart_id,
        w=WIDTH,
        h=height,
        title=title,
        desc=description,
        body=Markup("").join(parts),
    )
