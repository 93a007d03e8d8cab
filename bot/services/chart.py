"""Draw the pilot summary as one PNG: counts by department and topic, and the three rates.

matplotlib (about 40 MB and 0.3 s to import) is imported on the first chart, not with the bot.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from bot import texts
from bot.services.summary import Summary
from bot.services.summary_text import Names, percent, period_label, rates

if TYPE_CHECKING:
    from matplotlib.axes import Axes

logger = logging.getLogger(__name__)

# (package, file inside it): pip-installed CJK fonts, tried in order.
CJK_FONTS = (("paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc"),)
BAR_LIMIT = 10
# matplotlib's settings are global: one chart at a time (render_chart may run in threads).
_drawing = threading.Lock()
COLOURS = {"bars": "#4c72b0", "rates": "#55a868", "reference": "#c44e52", "empty": "#888888"}


@cache
def cjk_font() -> str | None:
    """Register the first installed CJK font with matplotlib and return its family name."""
    from matplotlib import font_manager

    for package, name in CJK_FONTS:
        try:
            path = resources.files(package).joinpath(name)
        except ModuleNotFoundError:
            continue
        if not path.is_file():
            continue
        font_manager.fontManager.addfont(str(path))
        family = font_manager.FontProperties(fname=str(path)).get_name()
        logger.debug("chart font %s from %s", family, package)
        return family
    logger.warning("no CJK font installed; the chart shows codes instead of Chinese names")
    return None


def render_chart(summary: Summary, names: Names | Mapping[str, str]) -> bytes:
    """Draw the summary as a PNG; Chinese labels need the CJK font, else codes are shown."""
    with _drawing:
        return _render(summary, names)


def _render(summary: Summary, names: Names | Mapping[str, str]) -> bytes:
    """Draw the chart (the caller holds the drawing lock)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    family = cjk_font()
    resolved = Names.of(names)
    if family is None:
        words = dict(texts.CHART_FALLBACK)
        topic: Callable[[str], str] = lambda code: code or "-"  # noqa: E731
        department: Callable[[str], str] = topic
        title, period = words["title"], period_label(summary, words["period"])
    else:
        words = {
            "by_department": texts.CHART_BY_DEPARTMENT,
            "by_topic": texts.CHART_BY_TOPIC,
            "rates": texts.CHART_RATES,
            "no_data": texts.CHART_NO_DATA,
            **texts.SUMMARY_RATE_NAMES,
        }
        topic, department = resolved.topic, resolved.department
        title, period = texts.CHART_TITLE, period_label(summary)
    families = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    buffer = io.BytesIO()
    with rc_context({"font.family": families}):
        figure = Figure(figsize=(11, 7.5), dpi=100, layout="constrained", facecolor="white")
        FigureCanvasAgg(figure)
        grid = figure.add_gridspec(2, 2, height_ratios=(1.2, 1))
        _bars(
            figure.add_subplot(grid[0, 0]),
            summary.by_department,
            department,
            words,
            "by_department",
        )
        _bars(figure.add_subplot(grid[0, 1]), summary.by_topic, topic, words, "by_topic")
        _rates(figure.add_subplot(grid[1, :]), summary, words)
        heading = title.format(period=period, received=summary.received)
        figure.suptitle(heading, fontsize=14)
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _bars(
    axes: Axes,
    counts: Mapping[str, int],
    name: Callable[[str], str],
    words: Mapping[str, str],
    key: str,
) -> None:
    """Draw horizontal bars of the biggest counts, biggest on top."""
    axes.set_title(words[key], loc="left", fontsize=12)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], not kv[0], kv[0]))[:BAR_LIMIT]
    if not ranked:
        _empty(axes, words)
        return
    labels = [name(code) for code, _ in reversed(ranked)]
    values = [count for _, count in reversed(ranked)]
    bars = axes.barh(labels, values, color=COLOURS["bars"])
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set_xlim(0, max(values) * 1.15)
    axes.tick_params(axis="y", labelsize=10)
    axes.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _rates(axes: Axes, summary: Summary, words: Mapping[str, str]) -> None:
    """Draw the three rates as bars next to the Suzhou 2023 reference."""
    axes.set_title(words["rates"], loc="left", fontsize=12)
    keys = list(texts.SUMMARY_REFERENCES)
    values = rates(summary)
    positions = range(len(keys))
    heights = [(values[k][0] or 0.0) * 100 for k in keys]
    bars = axes.bar(positions, heights, width=0.5, color=COLOURS["rates"])
    axes.bar_label(bars, labels=[percent(values[k][0]) for k in keys], padding=3, fontsize=10)
    for position, k in zip(positions, keys, strict=True):
        reference = texts.SUMMARY_REFERENCES[k] * 100
        colour = COLOURS["reference"]
        axes.hlines(reference, position - 0.3, position + 0.3, colors=colour, linestyles="--")
        axes.text(position + 0.32, reference, f"{reference:.2f}%", va="center", color=colour)
    axes.set_xticks(list(positions), [words[k] for k in keys], fontsize=11)
    axes.set_ylim(0, 112)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _empty(axes: Axes, words: Mapping[str, str]) -> None:
    """Say there is nothing to draw."""
    axes.text(
        0.5, 0.5, words["no_data"], ha="center", va="center", color=COLOURS["empty"], fontsize=12
    )
    axes.set_axis_off()
