"""Words for full-text search, folded by cctx itself so that both engines match exactly the same words.

One fold serves the index (``folded_text``, stored with each item), the search text (``search_words``) and
the snippet (``word_spans``, which finds the same words in the original text with their positions):

- each character is decomposed (NFKD) and case-folded, a few letters that do not decompose are spelled
  out (``đ`` -> ``d``, ``ł`` -> ``l``, ``ø`` -> ``o``, ``ß`` -> ``ss``, ``æ`` -> ``ae`` ...), and combining
  marks (accents) are dropped: ``Kovač`` and ``KOVAC`` both become ``kovac``;
- a word is a run of letters and digits (and spacing vowel signs of scripts that have them); everything
  else separates words, so ``ana-marija`` is ``ana`` and ``marija`` and a search never contains syntax;
- a word is cut to its first ``MAX_WORD`` characters, everywhere.

The fold is character by character, so the folded words of a text can be traced back to where they stand.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

MAX_WORD = 64  # characters of a word that count; longer words are cut, in the index and in a search
MAX_FOLDED = 100_000  # characters of folded text kept per item: well inside PostgreSQL's tsvector limit

# Letters that NFKD leaves whole, after case folding (ß is already "ss" by then).
_SPECIAL = {
    "đ": "d", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i", "ħ": "h",
    "ŧ": "t", "ŀ": "l", "ĸ": "k", "ŉ": "n",
}
_DROPPED = {"Mn", "Me"}  # accents and enclosing marks
_KEPT_MARKS = {"Mc"}  # spacing vowel signs: part of the word in Indic scripts


def _fold_char(ch: str) -> str:
    """One character folded: letters and digits, with a space wherever the character separates words."""
    text = unicodedata.normalize("NFKD", ch).casefold()
    text = unicodedata.normalize("NFKD", "".join(_SPECIAL.get(c, c) for c in text))
    out = []
    for c in text:
        category = unicodedata.category(c)
        if category in _DROPPED:
            continue
        out.append(c if category[0] in "LN" or category in _KEPT_MARKS else " ")
    return "".join(out)


class _FoldTable(dict[int, str]):
    """``str.translate`` table computed on first sight of each character."""

    def __missing__(self, code: int) -> str:
        value = _fold_char(chr(code))
        self[code] = value
        return value


_FOLD = _FoldTable()


def fold_words(text: str) -> list[str]:
    """The words of ``text``, folded, in order, repeats kept."""
    return [w[:MAX_WORD] for w in text.translate(_FOLD).split(" ") if w]


def folded_text(text: str | None) -> str | None:
    """What the index holds for an item's text: its distinct folded words joined by single spaces, in order
    of first appearance (None when there is no word)."""
    if not text:
        return None
    folded = " ".join(dict.fromkeys(fold_words(text)))
    if len(folded) > MAX_FOLDED:
        folded = folded[:MAX_FOLDED].rsplit(" ", 1)[0]
    return folded or None


class SearchWord(NamedTuple):
    """One word of a search: ``word`` folded; ``prefix`` when it was written with a ``*`` after it."""

    word: str
    prefix: bool = False

    def matches(self, word: str) -> bool:
        return word.startswith(self.word) if self.prefix else word == self.word


def search_words(text: str) -> list[SearchWord]:
    """The words of a search text, folded, each once. Whatever the text holds (quotes, operators, ``*``
    alone), it is read as words: a piece of text separated by white space that ends with ``*`` makes its
    last word a prefix."""
    found: dict[SearchWord, None] = {}
    for piece in text.split():
        words = fold_words(piece)
        for i, word in enumerate(words):
            found[SearchWord(word, piece.endswith("*") and i == len(words) - 1)] = None
    return list(found)


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """The folded words of ``text`` (as ``fold_words`` gives them) with where each stands in ``text``:
    ``(word, start, end)``. A dropped mark belongs to the word it follows."""
    spans: list[tuple[str, int, int]] = []
    word: list[str] = []
    start = end = 0
    for i, ch in enumerate(text):
        piece = _FOLD[ord(ch)]
        if not piece:
            if word:
                end = i + 1
            continue
        for c in piece:
            if c == " ":
                if word:
                    spans.append(("".join(word)[:MAX_WORD], start, end))
                    word = []
            else:
                if not word:
                    start = i
                word.append(c)
                end = i + 1
    if word:
        spans.append(("".join(word)[:MAX_WORD], start, end))
    return spans
