"""Finding import files on disk, reading them safely, and choosing their parser."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.ingest.base import ParseFailure, ParseResult
from archive.ingest.jsonl import parse_jsonl
from archive.ingest.markdown import parse_markdown
from archive.ingest.plaintext import parse_plaintext
from archive.text import is_binary

PARSERS: dict[str, Callable[[str], list[ParseResult]]] = {
    ".txt": parse_plaintext,
    ".text": parse_plaintext,
    ".jsonl": parse_jsonl,
    ".ndjson": parse_jsonl,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
}


class FileRejected(ValueError):
    """The whole file cannot be read; the message says why."""


@dataclass(frozen=True)
class Candidate:
    path: Path
    named: bool  # named on the command line, rather than found in a folder


def find_files(paths: Iterable[str | Path]) -> Iterator[Candidate]:
    """Files named directly, and the supported files inside folders (sorted, hidden ones skipped)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                relative = found.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if found.is_file() and found.suffix.lower() in PARSERS:
                    yield Candidate(found, named=False)
        else:
            yield Candidate(path, named=True)


def read_text(path: Path, *, max_bytes: int) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise FileRejected("no such file") from None
    except OSError as error:
        raise FileRejected(f"cannot read the file ({error.strerror})") from None
    if not path.is_file():
        raise FileRejected("not a regular file")
    if size > max_bytes:
        raise FileRejected(f"the file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileRejected(f"cannot read the file ({error.strerror})") from None
    if not data.strip():
        raise FileRejected("the file is empty")
    if is_binary(data):
        raise FileRejected("a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRejected(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); save the file as UTF-8"
        ) from None


def parse_file(path: Path, *, max_bytes: int) -> list[ParseResult]:
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        supported = ", ".join(sorted(PARSERS))
        return [ParseFailure(f"unsupported file type {path.suffix or '(none)'!r}; use one of {supported}")]
    try:
        text = read_text(path, max_bytes=max_bytes)
    except FileRejected as error:
        return [ParseFailure(str(error))]
    return parser(text)
