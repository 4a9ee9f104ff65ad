"""JSON Lines: one article per line (see DESIGN.md for the keys)."""

from __future__ import annotations

import json

from archive.ingest.base import InvalidArticle, ParseFailure, ParseResult, build_article

REQUIRED_KEYS = ("title", "body", "date")


def parse_jsonl(text: str) -> list[ParseResult]:
    results: list[ParseResult] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
            results.append(ParseFailure(f"not valid JSON ({reason})", number))
            continue
        if not isinstance(record, dict):
            results.append(ParseFailure("not a JSON object", number))
            continue
        missing = [key for key in REQUIRED_KEYS if key not in record]
        if missing:
            results.append(ParseFailure(f"missing {', '.join(missing)}", number))
            continue
        if not isinstance(record["title"], str):
            results.append(ParseFailure("the title must be text", number))
            continue
        try:
            results.append(
                build_article(
                    title=record["title"],
                    body=record["body"],
                    date=record["date"],
                    detect_headings=True,
                    line=number,
                    source=record.get("source", ""),
                    url=record.get("url", ""),
                    language=record.get("language", "en"),
                    dateline=record.get("dateline", ""),
                    lede=record.get("summary", ""),
                    tags=record.get("tags"),
                    entities=record.get("entities"),
                )
            )
        except InvalidArticle as error:
            results.append(ParseFailure(str(error), number))
    if not results:
        results.append(ParseFailure("the file holds no articles", None))
    return results
