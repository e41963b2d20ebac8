"""Colour contrast by the WCAG 2.2 formula, and the text colour for a status background.

A status colour can come from a council's own ``Schemes`` sheet, so the report never assumes
white text will do: :func:`text_on` picks black or white, whichever contrasts more (that is
always at least 4.58:1, above the 4.5:1 WCAG AA asks of normal text).
"""

from __future__ import annotations

INK = "#0B0C0C"  # GOV.UK text colour
PAPER = "#FFFFFF"

#: WCAG 2.2 AA: text 4.5:1 (large text and graphics 3:1).
MIN_TEXT_CONTRAST = 4.5
MIN_GRAPHIC_CONTRAST = 3.0


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#RRGGBB`` (or ``#RGB``) colour, 0 (black) to 1 (white).

    >>> relative_luminance("#FFFFFF"), relative_luminance("#000")
    (1.0, 0.0)
    """
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) != 6:
        raise ValueError(f"{colour!r} is not a #RRGGBB colour")
    r, g, b = (int(text[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white).

    >>> round(contrast_ratio("#D4351C", "#FFFFFF"), 2)
    4.86
    """
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_on(background: str) -> str:
    """Black or white text for a background, whichever has more contrast.

    >>> text_on("#00703C"), text_on("#FFDD00")
    ('#FFFFFF', '#0B0C0C')
    """
    try:
        white = contrast_ratio(background, PAPER)
        black = contrast_ratio(background, INK)
    except ValueError:
        return INK
    return PAPER if white >= black else INK


def safe_colour(colour: object, fallback: str = "#505A5F") -> str:
    """A ``#RRGGBB`` colour string, or ``fallback`` when the value is not one."""
    text = str(colour or "").strip()
    try:
        relative_luminance(text)
    except ValueError:
        return fallback
    return "#" + text.lstrip("#").upper()
