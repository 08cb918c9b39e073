"""Every input file (`db import`, `conversation relink`, the configuration) is read here, and only here.

Bytes are read up to a size limit and decoded as UTF-8 (a byte order mark is dropped); YAML goes through
a loader that refuses what a safe loader lets through (duplicate keys, ``.nan``/``.inf``, deep nesting,
aliases that repeat more than a bounded number of values, numbers of hundreds of digits, tags other than
the plain ones); JSON gets the same rules; CSV fields are bounded. Every refusal names the file and the
line (and column) it was found at, and quotes at most 80 characters of any value.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, NoReturn

from cctx.errors import CctxError, Invalid, NotFound, quote

KiB = 1024
MiB = 1024 * KiB
MAX_FILE_BYTES = 256 * MiB  # a fixture or relink file
MAX_CONFIG_BYTES = 1 * MiB
MAX_DEPTH = 100  # nesting of lists and mappings
MAX_ALIAS_VALUES = 100_000  # values that YAML aliases may repeat, in all
MAX_NUMBER_DIGITS = 40
MAX_CSV_FIELD = 128 * KiB
MAX_NAME_SHOWN = 200

FORMATS = ("csv", "json", "yaml")
_READ_CHUNK = 1 * MiB
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
csv.field_size_limit(MAX_CSV_FIELD)  # the default, made explicit: the limit below is this one

ErrorClass = Callable[[str], CctxError]


@dataclass(frozen=True)
class Source:
    """One input read whole: ``path`` as given (``-`` is stdin), ``name`` as messages show it."""

    path: str
    name: str
    text: str
    error: ErrorClass = field(default=Invalid, repr=False, compare=False)

    @property
    def suffix(self) -> str:
        return "" if self.path == "-" else Path(self.path).suffix.lower()

    def fail(self, message: str, line: int | None = None, column: int | None = None) -> NoReturn:
        raise self.error(located(self.name, message, line, column))


def located(name: str, message: str, line: int | None = None, column: int | None = None) -> str:
    """``name: line 3, column 7: message`` (line and column counted from 1)."""
    where = name
    if line is not None:
        where += f": line {line}" + (f", column {column}" if column is not None else "")
    return f"{where}: {message}"


# --- bytes and text -------------------------------------------------------------------------------------


def _read_bytes(path: str, name: str, limit: int, error: ErrorClass) -> bytes:
    def too_big() -> NoReturn:
        raise error(f"{name}: larger than the limit of {limit // MiB} MiB")

    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream without bytes underneath (rare): read it as text
            text = sys.stdin.read(limit + 1)
            data = text.encode("utf-8", "surrogateescape")
            if len(data) > limit:
                too_big()
            return data
        chunks = _read_chunks(stream, limit)
    else:
        try:
            with open(path, "rb") as handle:
                status = os.fstat(handle.fileno())
                too_large = stat.S_ISREG(status.st_mode) and status.st_size > limit  # known without reading it
                chunks = None if too_large else _read_chunks(handle, limit)
        except FileNotFoundError:
            raise NotFound(f"{name}: no such file") from None
        except OSError as exc:
            raise error(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if chunks is None:
        too_big()
    return chunks


def _read_chunks(stream: Any, limit: int) -> bytes | None:
    """Everything ``stream`` holds, or None when it holds more than ``limit`` bytes (read no further).
    Reading also stops at a chunk with a NUL byte: binary data, refused once decoded, however long."""
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(_READ_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
        if b"\0" in chunk:
            return b"".join(parts)
        if size > limit:
            return None


def _line_column(data: bytes | str, offset: int) -> tuple[int, int]:
    newline: Any = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, offset) + 1
    return line, offset - (data.rfind(newline, 0, offset) + 1) + 1


def decode(data: bytes, name: str, error: ErrorClass = Invalid) -> str:
    """UTF-8 text of ``data`` without its byte order mark; binary data and invalid UTF-8 are refused."""
    if data.startswith(_UTF16_BOMS):
        raise error(f"{name}: not UTF-8 text (it starts with a UTF-16 byte order mark; save it as UTF-8)")
    nul = data.find(b"\0")
    if nul >= 0:
        line, _ = _line_column(data, nul)
        raise error(located(name, "binary data (a NUL byte), not text", line))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(data, exc.start)
        byte = data[exc.start : exc.start + 1].hex()
        raise error(located(name, f"not valid UTF-8 text (byte 0x{byte})", line, column)) from None
    return text.removeprefix("\ufeff")


def read_text(
    path: str, *, limit: int = MAX_FILE_BYTES, name: str | None = None, error: ErrorClass = Invalid,
    allow_empty: bool = False,
) -> Source:
    """Read ``path`` (``-``: stdin) whole as UTF-8 text; empty input is refused unless ``allow_empty``."""
    shown = name or ("<stdin>" if path == "-" else path)
    if len(shown) > MAX_NAME_SHOWN:  # a name is shown whole in every message: an absurd one is cut
        shown = shown[:MAX_NAME_SHOWN] + "…"
    text = decode(_read_bytes(path, shown, limit, error), shown, error)
    if not allow_empty and not text.strip():
        raise error(f"{shown}: is empty")
    return Source(path, shown, text, error)


# --- formats ----------------------------------------------------------------------------------------------


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def load_document(source: Source, *, allow_empty: bool = False) -> Any:
    """The data of a YAML or JSON file: ``.json`` is JSON, ``.yaml``/``.yml`` YAML; otherwise text that
    starts with ``{`` or ``[`` is read as JSON when it is JSON, else as YAML."""
    if source.suffix == ".json":
        data = load_json(source)
    elif source.suffix not in (".yaml", ".yml") and looks_like_json(source.text):
        try:
            data = load_json(source, syntax_errors=False)
        except _NotJson:
            data = load_yaml(source)
    else:
        data = load_yaml(source)
    if data is None and not allow_empty:
        source.fail("holds no data (only comments or null)")
    return data


# --- JSON -------------------------------------------------------------------------------------------------

_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_JSON_ESCAPE = re.compile(r"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_HIGH = r"\\u[dD][89abAB][0-9a-fA-F]{2}"
_LOW = r"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
_LONE_SURROGATE_ESCAPE = re.compile(rf"{_HIGH}(?!{_LOW})|(?<!{_HIGH}){_LOW}")
_SURROGATES = re.compile("[\ud800-\udfff]")
_JSON_TOKEN = re.compile(
    rf"\s*(?:(?P<str>{_JSON_STRING})|(?P<punct>[\[\]{{}}:,])|(?P<lit>[^\s\[\]{{}}:,\"]+))", re.DOTALL
)
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class _NotJson(Exception):
    """Text that is not JSON at all (it may still be YAML)."""


class _JsonProblem(Exception):
    """A rule broken inside otherwise valid JSON; located afterwards by :func:`_locate_json_problem`."""


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _JsonProblem()
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JsonProblem()
    return value


def _json_constant(text: str) -> NoReturn:
    raise _JsonProblem()


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _JsonProblem()
    return result


def _json_depth(text: str) -> int:
    """How deep the lists and objects of valid JSON nest, at C speed: escapes dropped, then every byte but
    brackets and quotes; an adjacent pair of quotes is dropped (an empty string, or two strings joined,
    which keeps their brackets inside a string), and what lies between the quotes left is string content."""
    if "\\" in text:
        text = _JSON_ESCAPE.sub("", text)
    reduced = text.encode("utf-8").translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    brackets = b"".join(reduced.split(b'"')[::2])
    return max(accumulate(_DEPTH_STEP[c] for c in brackets), default=0)


def load_json(source: Source, *, syntax_errors: bool = True) -> Any:
    """JSON with the rules of this module: no duplicate keys, no NaN/Infinity, numbers of at most
    ``MAX_NUMBER_DIGITS`` digits, nesting at most ``MAX_DEPTH`` deep, no lone surrogate escapes."""
    text = source.text
    try:
        data = json.loads(
            text, object_pairs_hook=_json_pairs, parse_int=_json_int, parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except json.JSONDecodeError as exc:
        if not syntax_errors:
            raise _NotJson() from None
        source.fail(f"not valid JSON ({exc.msg})", exc.lineno, exc.colno)
    except (_JsonProblem, RecursionError):  # json itself stops nesting at about 1000 levels
        _locate_json_problem(source)
    if _json_depth(text) > MAX_DEPTH:
        _locate_json_problem(source)
    if ("\\ud" in text or "\\uD" in text) and _LONE_SURROGATE_ESCAPE.search(text):
        _locate_json_problem(source, surrogates_only=True)
    return data


def _locate_json_problem(source: Source, *, surrogates_only: bool = False) -> None:
    """Walk valid JSON token by token to find (and refuse, with its line and column) the first broken rule.
    Slow, so only called once a rule is known (or, for surrogates, likely) to be broken."""
    text = source.text
    stack: list[tuple[str, set[str]]] = []  # ("{", keys seen) or ("[", unused)
    expect_key = False
    position = 0
    while position < len(text):
        match = _JSON_TOKEN.match(text, position)
        if match is None:
            break
        start, position = match.start(match.lastgroup or 0), match.end()
        line, column = _line_column(text, start)
        token = match.group(match.lastgroup or 0)
        if match.lastgroup == "str":
            value = json.loads(token)
            if _SURROGATES.search(value):
                source.fail("text with a lone surrogate escape (\\ud800 to \\udfff) is not valid Unicode", line, column)
            if surrogates_only:
                continue
            if stack and stack[-1][0] == "{" and expect_key:
                if value in stack[-1][1]:
                    source.fail(f"duplicate key {quote(value)}", line, column)
                stack[-1][1].add(value)
        elif surrogates_only:
            continue
        elif token in ("[", "{"):
            if len(stack) >= MAX_DEPTH:
                source.fail(f"nested more than {MAX_DEPTH} levels deep", line, column)
            stack.append((token, set()))
            expect_key = token == "{"
        elif token in ("]", "}"):
            stack.pop()
            expect_key = False
        elif token == ",":
            expect_key = bool(stack) and stack[-1][0] == "{"
        elif token == ":":
            expect_key = False
        elif match.lastgroup == "lit":
            if token in ("NaN", "Infinity", "-Infinity"):
                source.fail(f"{token} is not a number that can be stored", line, column)
            if re.fullmatch(r"-?[0-9]+", token) and len(token.lstrip("-")) > MAX_NUMBER_DIGITS:
                source.fail(f"a number of {len(token.lstrip('-'))} digits (at most {MAX_NUMBER_DIGITS})", line, column)
            if re.fullmatch(r"-?[0-9.eE+-]+", token) and not math.isfinite(float(token)):
                source.fail(f"{quote(token)} is too large a number", line, column)
    if not surrogates_only:  # a rule was broken but not found again: still refuse, without a location
        source.fail("not valid JSON")


# --- YAML -------------------------------------------------------------------------------------------------

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
}
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NO_KEY = object()


@dataclass
class _Frame:
    """An open list or mapping while its contents are read."""

    value: list[Any] | dict[Any, Any]
    anchor: str | None
    line: int
    size: int = 1  # values inside, counting what aliases repeat
    key: Any = _NO_KEY
    key_line: int = 0
    keys: dict[Any, int] = field(default_factory=dict)  # key -> line it was written at
    merges: list[dict[Any, Any]] = field(default_factory=list)
    merge_next: bool = False


def _yaml_loader(text: str) -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)


def load_yaml(source: Source) -> Any:
    """One YAML document, built from the parser's events (no recursion, so any nesting is safe to refuse)."""
    import yaml

    loader = _yaml_loader(source.text)
    try:
        return _YamlBuilder(source, loader).build()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if "maximum nesting depth" in problem:  # the parser's own limit, met before this module's
            problem = f"nested more than {MAX_DEPTH} levels deep"
            source.fail(problem, mark.line + 1 if mark else None, mark.column + 1 if mark else None)
        source.fail(f"not valid YAML ({problem})", mark.line + 1 if mark else None, mark.column + 1 if mark else None)
    except yaml.YAMLError as exc:
        source.fail(f"not valid YAML ({str(exc)[:200]})")
    finally:
        loader.dispose()


class _YamlBuilder:
    def __init__(self, source: Source, loader: Any) -> None:
        self.source = source
        self.loader = loader
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.repeated = 0
        self.root: Any = _NO_KEY
        self.documents = 0

    def fail(self, message: str, mark: Any) -> NoReturn:
        self.source.fail(message, mark.line + 1, mark.column + 1)

    def build(self) -> Any:
        import yaml

        while True:
            event = self.loader.get_event()
            if isinstance(event, yaml.ScalarEvent):
                self._add(self._scalar(event), 1, event.anchor, event.start_mark)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self._open(event, isinstance(event, yaml.MappingStartEvent))
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                self._close(event)
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    self.fail("more than one YAML document (one --- only)", event.start_mark)
            elif isinstance(event, yaml.StreamEndEvent):
                return None if self.root is _NO_KEY else self.root

    def _scalar(self, event: Any) -> Any:
        import yaml

        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag not in _PLAIN_TAGS and tag != _MERGE_TAG:
            self.fail(f"the tag {quote(tag)} is not allowed (only text, numbers, booleans, null, timestamps)",
                      event.start_mark)
        if tag == _MERGE_TAG:
            return _MergeKey()
        if tag == "tag:yaml.org,2002:int" and len(event.value) > MAX_NUMBER_DIGITS:
            self.fail(f"a number of more than {MAX_NUMBER_DIGITS} digits (quote it if it is text)", event.start_mark)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.loader.yaml_constructors[tag](self.loader, node)
        except (ValueError, OverflowError) as exc:
            what = "date or timestamp" if tag.endswith("timestamp") else "value"
            self.fail(f"{quote(event.value)} is not a valid {what} ({str(exc)[:80]})", event.start_mark)
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(f"{quote(event.value)} is not a number that can be stored (.nan and .inf are refused)",
                      event.start_mark)
        return value

    def _open(self, event: Any, mapping: bool) -> None:
        tag = event.tag
        if tag not in (None, "!", _MAP_TAG if mapping else _SEQ_TAG):
            self.fail(f"the tag {quote(tag)} is not allowed", event.start_mark)
        if len(self.stack) >= MAX_DEPTH:
            self.fail(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        value: list[Any] | dict[Any, Any] = {} if mapping else []
        self.stack.append(_Frame(value, event.anchor, event.start_mark.line + 1))

    def _close(self, event: Any) -> None:
        frame = self.stack.pop()
        if isinstance(frame.value, dict):
            for merged in frame.merges:
                for key, value in merged.items():
                    frame.value.setdefault(key, value)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
        self._add(frame.value, frame.size, frame.anchor, event.start_mark)

    def _alias(self, event: Any) -> None:
        if event.anchor in self.open_anchors:
            self.fail(f"the alias *{quote(event.anchor)[1:-1]} refers to a value that contains it", event.start_mark)
        if event.anchor not in self.anchors:
            self.fail(f"unknown alias *{quote(event.anchor)[1:-1]}", event.start_mark)
        value, size = self.anchors[event.anchor]
        self.repeated += size
        if self.repeated > MAX_ALIAS_VALUES:
            self.fail(f"aliases repeat more than {MAX_ALIAS_VALUES:,} values", event.start_mark)
        self._add(value, size, None, event.start_mark)

    def _add(self, value: Any, size: int, anchor: str | None, mark: Any) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        if isinstance(frame.value, list):
            frame.value.append(value)
        elif frame.key is _NO_KEY:
            self._key(frame, value, mark)
        elif frame.merge_next:
            frame.merge_next = False
            frame.key = _NO_KEY
            merged = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merged):
                self.fail("a merge (<<) takes a mapping or a list of mappings", mark)
            frame.merges.extend(merged)
        else:
            frame.value[frame.key] = value
            frame.key = _NO_KEY

    def _key(self, frame: _Frame, key: Any, mark: Any) -> None:
        if isinstance(key, _MergeKey):
            frame.merge_next = True
            frame.key = key
            return
        if isinstance(key, list | dict):
            self.fail("a mapping key must be a single value, not a list or mapping", mark)
        if key in frame.keys:
            self.fail(f"duplicate key {quote(key)} (first at line {frame.keys[key]})", mark)
        frame.keys[key] = mark.line + 1
        frame.key = key


class _MergeKey:
    """The ``<<`` key of a YAML merge."""


# --- CSV --------------------------------------------------------------------------------------------------


def csv_records(source: Source) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each record; a field over ``MAX_CSV_FIELD`` or broken quoting is refused."""
    reader = csv.reader(io.StringIO(source.text, newline=""))
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                source.fail(f"a field longer than {MAX_CSV_FIELD // KiB} KiB", reader.line_num)
            source.fail(f"not valid CSV ({exc})", reader.line_num)
        yield reader.line_num, record


def csv_first_record(text: str) -> list[str]:
    """The fields of the first line (a header is found without reading the rest)."""
    first = text.lstrip().split("\n", 1)[0][:MAX_CSV_FIELD]
    try:
        return next(csv.reader([first]), [])
    except csv.Error:
        return []
