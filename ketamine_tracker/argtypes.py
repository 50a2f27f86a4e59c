"""argparse value types shared by the commands."""

from __future__ import annotations

import argparse
from typing import Callable


def int_in_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type`` accepting whole numbers in ``[low, high]`` (no upper bound if ``high`` is None)."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if high is None and n < low:
            raise argparse.ArgumentTypeError(f"must be {low} or more")
        if high is not None and not low <= n <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return n

    return parse
