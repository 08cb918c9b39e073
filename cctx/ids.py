"""Whole numbers as the command line gives them, and the range of person and conversation ids: what both
engines store as a 64-bit integer."""

from __future__ import annotations

import re

from cctx.errors import quote

MAX_ID = 2**63 - 1
MAX_DIGITS = 40
_WHOLE = r"[+-]?[0-9]+"  # compiled (and cached by re) when a number is given


class WholeNumbers:
    """Whole numbers from ``low`` to ``high`` when given. Text is checked before int() sees it (int() refuses
    4300 digits), and a bad value is quoted cut to 80 characters."""

    def __init__(self, low: int | None = None, high: int | None = None, digits: int = MAX_DIGITS) -> None:
        self.low, self.high, self.digits = low, high, digits

    def _range(self) -> str:
        if self.low is not None and self.high is not None:
            return f" from {self.low} to {self.high}"
        return "" if self.low is None else f" of at least {self.low}"

    def read(self, value: object) -> int:
        """``value`` as a number of this range; ValueError saying what is wrong with it otherwise."""
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if not re.fullmatch(_WHOLE, text):
                raise ValueError(f"{quote(value)} is not a whole number{self._range()}")
            if len(text.lstrip("+-").lstrip("0")) > self.digits:
                raise ValueError(f"{quote(text)} is not a whole number{self._range()} (it has more than "
                                 f"{self.digits} digits)")
            number = int(text)
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise ValueError(f"{number} is not a whole number{self._range()}")
        return number


ANY_ID = WholeNumbers()  # an id as written: one that cannot exist is the command's "not found", not bad usage
POSITIVE_ID = WholeNumbers(1, MAX_ID)
