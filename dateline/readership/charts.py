"""The readership charts, drawn on the server as SVG by pygal: no script reaches the desk.

A chart is shown as an <img>, so the SVG's own style and script elements stay inside the
image (browsers run no script in one); the screen prints the same numbers as a table, which
screen readers read and which works without images.
"""

from dateline.base.graphemes import clipped

from .figures import Figures

_LONGEST_LABEL = 40


def pygal():
    """pygal, loaded by the first chart drawn: importing it took 55 ms of every process's start
    (the desk's admin modules are imported by every `dateline` command)."""
    import pygal

    return pygal


def style(*colors: str):
    """The desk's charts' look, one colour per series (dateline.ads.report's too)."""
    from pygal.style import Style

    return Style(
        background="white", plot_background="white", colors=colors,
        font_family="system-ui, sans-serif", label_font_size=11, major_label_font_size=11,
        title_font_size=14)


def _common() -> dict:
    return {"style": style("#205067"), "show_legend": False, "js": [], "width": 800,
            "height": 320, "print_values": False, "disable_xml_declaration": False,
            "truncate_label": 40}


def whole_counts(chart, values) -> None:
    """Views are whole: ticks at whole numbers (pygal's own gave 0.1 to 0.9 views for a
    quiet hour), about five of them, and values printed without decimals."""
    most = max(values, default=0)
    step = max(1, -(-most // 5))
    chart.y_labels = list(range(0, most + step + 1, step))
    chart.value_formatter = lambda value: f"{value:,.0f}"


def hours_chart(figures: Figures, zone) -> bytes:
    chart = pygal().Bar(**_common(), x_label_rotation=60, show_minor_x_labels=False,
                      title="Views per hour")
    labels = [hour.astimezone(zone).strftime("%d %b %H:00") for hour, _ in figures.hours]
    chart.x_labels = labels
    # Every label of a day, every sixth of a week, every 24th of a month: readable.
    step = max(1, len(labels) // 24)
    chart.x_labels_major = labels[::step]
    chart.add("Views", [n for _, n in figures.hours])
    whole_counts(chart, [n for _, n in figures.hours])
    return chart.render()


def stories_chart(figures: Figures) -> bytes:
    chart = pygal().HorizontalBar(**_common(), title="Most read stories")
    shown = list(reversed(figures.stories))  # pygal draws the first bar at the bottom
    chart.x_labels = [_short(story.headline) for story, _ in shown]
    chart.add("Views", [n for _, n in shown])
    whole_counts(chart, [n for _, n in shown])
    return chart.render()


def sections_chart(figures: Figures) -> bytes:
    chart = pygal().HorizontalBar(**_common(), title="Views per section")
    shown = list(reversed(figures.sections[:20]))
    chart.x_labels = [_short(name) for name, _ in shown]
    chart.add("Views", [n for _, n in shown])
    whole_counts(chart, [n for _, n in shown])
    return chart.render()


def _short(text: str) -> str:
    return text if len(text) <= _LONGEST_LABEL else clipped(text, _LONGEST_LABEL - 1) + "…"
