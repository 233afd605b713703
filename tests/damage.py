"""Real pages cut to a window and damaged, for the importers' fuzz tests (hypothesis)."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

#: What can happen to a line: lost, repeated, moved, spliced with a piece, or cut short
#: together with everything after it (a page saved before it finished loading).
DAMAGES = ("drop", "repeat", "swap", "splice", "cut short")


@st.composite
def damaged_window(
    draw: st.DrawFn,
    pages: Sequence[Sequence[str]],
    *,
    longest: int,
    most_damages: int,
    pieces: st.SearchStrategy[str],
    damages: Sequence[str] = DAMAGES,
    whole_page_too: bool = False,
) -> str:
    """A window of up to ``longest`` lines of one of ``pages`` (or, with ``whole_page_too``,
    sometimes the whole page), damaged up to ``most_damages`` times."""
    lines = list(draw(st.sampled_from(pages)))
    if not whole_page_too or draw(st.booleans()):
        start = draw(st.integers(0, len(lines) - 1))
        lines = lines[start : start + draw(st.integers(1, longest))]
    for _ in range(draw(st.integers(0, most_damages))):
        index = draw(st.integers(0, len(lines) - 1))
        damage = draw(st.sampled_from(damages))
        if damage == "drop" and len(lines) > 1:
            del lines[index]
        elif damage == "repeat":
            lines.insert(index, lines[index])
        elif damage == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif damage == "splice":
            at = draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:at] + draw(pieces) + lines[index][at:]
        elif damage == "cut short":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
            del lines[index + 1 :]
    return "\n".join(lines)
