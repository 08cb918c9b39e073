"""The fold of full-text search: one function for the index, the search text and the snippet."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cctx.search_fold import MAX_FOLDED, MAX_WORD, SearchWord, fold_words, folded_text, search_words, word_spans
from cctx.services.search import snippet


def test_case_accents_and_special_letters_fold_away() -> None:
    assert fold_words("Kovač KOVAČ kovac Kóvåç") == ["kovac"] * 4
    assert fold_words("Đurđević Łódź Øresund Straße Æsir Œuvre Þór ſ") == [
        "durdevic", "lodz", "oresund", "strasse", "aesir", "oeuvre", "thor", "s"]
    assert fold_words("ﬁne ½ x² Ⅻ") == ["fine", "1", "2", "x2", "xii"]
    assert fold_words("e\u0301te\u0301") == ["ete"]  # combining accents, not precomposed


def test_anything_but_letters_and_digits_separates_words() -> None:
    assert fold_words('ana-marija\'s "NEAR(x, y)" a*b OR -c') == ["ana", "marija", "s", "near", "x", "y", "a", "b",
                                                                  "or", "c"]
    assert fold_words("") == [] and fold_words("*** ---") == []
    assert fold_words("日本語 हिन्दी") == ["日本語", "हिनदी"]  # other scripts stay words (the virama is a mark)


def test_long_words_are_cut() -> None:
    assert fold_words("x" * 100) == ["x" * MAX_WORD]


def test_folded_text_keeps_each_word_once_in_order() -> None:
    assert folded_text("The cat and THE hat") == "the cat and hat"
    assert folded_text(None) is None and folded_text("") is None and folded_text("?!") is None
    big = " ".join(f"w{i}" for i in range(100_000))
    folded = folded_text(big)
    assert folded is not None and len(folded) <= MAX_FOLDED and not folded.endswith(" ")


def test_search_words_are_words_and_prefixes() -> None:
    assert search_words('kov* "NEAR(a b)" * - ana* ana*') == [
        SearchWord("kov", True), SearchWord("near"), SearchWord("a"), SearchWord("b"), SearchWord("ana", True)]
    assert search_words("") == [] and search_words("* ** -") == []
    assert search_words("ana-mar*") == [SearchWord("ana"), SearchWord("mar", True)]


def test_snippet_brackets_matches_in_the_original_text() -> None:
    words = search_words("kovac narud*")
    assert snippet("Pozdrav, gospodine Kovač! Vaša narudžba je poslana.", words) == (
        "Pozdrav, gospodine [Kovač]! Vaša [narudžba] je poslana.")
    assert snippet("line one\n\n\tKOVAC\r\nline two", words) == "line one [KOVAC] line two"
    long = snippet("word " * 100 + "Kovač " + "filler " * 50, words)
    assert len(long) == 200 and long.startswith("…") and long.endswith("…") and "[Kovač]" in long
    huge = snippet("k" * 500, search_words("k*"))
    assert len(huge) == 200 and huge.startswith("[") and huge.endswith("…]")


@given(st.text())
def test_spans_find_the_folded_words_where_they_stand(text: str) -> None:
    spans = word_spans(text)
    assert [w for w, _, _ in spans] == fold_words(text)
    for word, start, end in spans:
        assert 0 <= start < end <= len(text)
        assert word[: MAX_WORD] in "".join(fold_words(text[start:end]))


@given(st.text(), st.text())
def test_a_snippet_is_short_and_brackets_only_matches(text: str, search: str) -> None:
    words = search_words(search)
    result = snippet(text, words)
    assert len(result) <= 200


@given(st.text(min_size=1))
def test_every_word_of_a_text_finds_it(text: str) -> None:
    folded = folded_text(text)
    for word in search_words(text):
        assert folded is not None and word.word in folded.split(" ")
