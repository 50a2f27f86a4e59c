"""HTML of an abstract with every extracted fact highlighted by kind.

The document text is escaped piece by piece (``html.escape``), so a title or
abstract containing ``<script>`` or ``&`` is shown as text, never as markup.
Spans use the offsets of :func:`db.text.document_text`; overlapping spans are
resolved by keeping the earlier (then longer) one, and spans outside the text
are ignored, so a stale extraction can never break the page.
"""

from __future__ import annotations

from html import escape
from typing import Iterable, Mapping


def _usable(spans: Iterable[Mapping], length: int) -> list[Mapping]:
    good = []
    for sp in spans:
        try:
            start, end = int(sp["start"]), int(sp["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= start < end <= length:
            good.append(sp)
    good.sort(key=lambda sp: (int(sp["start"]), -int(sp["end"])))
    kept: list[Mapping] = []
    last_end = 0
    for sp in good:
        if int(sp["start"]) >= last_end:
            kept.append(sp)
            last_end = int(sp["end"])
    return kept


def highlight_html(text: str, spans: Iterable[Mapping], kinds: Mapping[str, Mapping]) -> str:
    """Escaped ``text`` with ``<mark>`` elements around each span.

    Parameters
    ----------
    text:
        ``document_text(title, abstract)``.
    spans:
        ``Extraction.spans`` entries: ``kind, label, start, end, negated``.
    kinds:
        ``{kind: {"label": str, "color": css colour}}`` from ``dashboard/labels.json``.

    Returns
    -------
    str
        HTML; negated spans are struck through and say "absent" in their tooltip.
    """
    out: list[str] = []
    pos = 0
    for sp in _usable(spans, len(text)):
        start, end = int(sp["start"]), int(sp["end"])
        out.append(escape(text[pos:start]))
        kind = str(sp.get("kind", ""))
        info = kinds.get(kind, {"label": kind, "color": "#eeeeee"})
        negated = bool(sp.get("negated"))
        tip = f"{info['label']}: {sp.get('label', '')}" + (" (reported absent)" if negated else "")
        style = f"background:{info['color']};padding:0 2px;border-radius:3px;"
        if negated:
            style += "text-decoration:line-through;border:1px dashed #c62828;"
        out.append(
            f'<mark class="kt-{escape(kind, quote=True)}{" kt-negated" if negated else ""}" '
            f'style="{escape(style, quote=True)}" title="{escape(tip, quote=True)}">{escape(text[start:end])}</mark>'
        )
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n\n", "<br><br>").replace("\n", "<br>")


def legend_html(kinds: Mapping[str, Mapping]) -> str:
    """One coloured chip per kind, plus the negated style."""
    chips = [
        f'<span style="background:{escape(v["color"], quote=True)};padding:1px 6px;border-radius:3px;margin-right:6px">{escape(v["label"])}</span>'
        for v in kinds.values()
    ]
    chips.append('<span style="text-decoration:line-through;border:1px dashed #c62828;padding:1px 6px;border-radius:3px">negated (reported absent)</span>')
    return '<div style="line-height:2">' + "".join(chips) + "</div>"
