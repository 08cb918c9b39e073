"""cctx.inputs: the one reader of input files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cctx import inputs
from cctx.errors import Invalid

texts = st.text(alphabet=st.sampled_from('ab[]{}"\\\n\u00e9\U0001f600'), max_size=8)
documents = st.recursive(
    st.none() | st.integers() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=25,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


@settings(max_examples=200, deadline=None)
@given(data=documents, ensure_ascii=st.booleans())
def test_the_fast_depth_of_json_is_the_real_depth(data: Any, ensure_ascii: bool) -> None:
    """Brackets, quotes and backslashes inside strings never count."""
    assert inputs._json_depth(json.dumps(data, ensure_ascii=ensure_ascii)) == depth(data)


@settings(max_examples=100, deadline=None)
@given(data=documents)
def test_yaml_and_json_read_the_same_data(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)  # libyaml reads no \ud83d\ude00 escape pairs, only the character
    assert inputs.load_json(inputs.Source("x.json", "x.json", json.dumps(data))) == data
    assert inputs.load_yaml(inputs.Source("x.yaml", "x.yaml", text)) == data


def test_merge_keys_keep_the_keys_written_out() -> None:
    source = inputs.Source("m.yaml", "m.yaml", "base: &b {x: 1, y: 2}\nm: {<<: *b, y: 3}\n")
    assert inputs.load_yaml(source)["m"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\n---\nb: 2\n", "line 2, column 1: more than one YAML document"),
        ("a: *nowhere\n", "unknown alias *nowhere"),
        ("? [a, b]\n: 1\n", "a mapping key must be a single value"),
        ("a: !!set {x}\n", "the tag 'tag:yaml.org,2002:set' is not allowed"),
        ("a: 0x" + "f" * 60 + "\n", "a number of more than 40 digits"),
    ],
)
def test_yaml_refusals(text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message.replace("*", r"\*").replace("(", r"\(").replace("?", r"\?")):
        inputs.load_yaml(inputs.Source("x.yaml", "x.yaml", text))
