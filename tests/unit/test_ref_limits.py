"""Person ids that cannot be one are a clear error, never a crash."""

from __future__ import annotations

import pytest

from cctx.errors import Invalid
from cctx.refs import MAX_ID, PersonRef, parse_ref


@pytest.mark.parametrize("text", ["²", "４２", "9" * 20, "1" * 5000, str(MAX_ID + 1), MAX_ID + 1])
def test_impossible_person_ids_are_refused(text: object) -> None:
    with pytest.raises(Invalid):
        parse_ref(text)


def test_the_largest_id_is_an_id_and_a_leading_zero_never_is() -> None:
    assert parse_ref(str(MAX_ID)) == PersonRef(MAX_ID)
    assert parse_ref(f"id:{MAX_ID}") == PersonRef(MAX_ID)
    for text in ["0" * 5000 + "7", "0003", "07"]:
        with pytest.raises(Invalid, match="national number"):
            parse_ref(text)
