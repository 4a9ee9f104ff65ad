"""``manage.py import_articles``: files and folders of news, in any of the formats Dossier reads.

Exit status: 0 when everything given was imported or was already there, 1 when
anything failed, 2 for a usage error (a path that does not exist, a file of no
known format). The summary goes to standard error; ``--report FILE`` writes every
failure as a JSON line for scripts.
"""

from __future__ import annotations

import time
from io import StringIO
from pathlib import Path
from typing import TextIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from archive.ingest.fetch import fetch_page
from archive.ingest.files import FORMATS, find_files, unsupported_reason
from archive.ingest.importer import Progress, import_articles
from archive.models import Source

SHOW_FAILURES = 50


class ImportProgress:
    """Articles (and bytes, for big files) with the rate and the time left.

    Redrawn in place on a terminal; in a log, a plain line every ``log_interval`` seconds.
    """

    def __init__(self, stream: TextIO, *, log_interval: float = 10.0):
        self.stream = stream
        self.is_tty = hasattr(stream, "isatty") and stream.isatty()
        self.interval = 0.25 if self.is_tty else log_interval
        self.started = self.last = time.monotonic()
        self.drawn = False

    def __call__(self, state: Progress) -> None:
        now = time.monotonic()
        if not state.finished and now - self.last < self.interval:
            return
        if state.finished and not self.drawn and now - self.started < self.interval:
            return  # a quick import needs no progress line, only its summary
        self.last = now
        self.drawn = True
        line = self.line(state, now - self.started)
        if self.is_tty:
            self.stream.write("\r\x1b[K" + line + ("\n" if state.finished else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    @staticmethod
    def line(state: Progress, elapsed: float) -> str:
        elapsed = max(elapsed, 1e-6)
        parts = [f"Importing: {state.articles:,} articles ({state.articles / elapsed:,.0f}/s)"]
        if state.bytes_total >= 1_000_000:
            share = min(state.bytes_done / state.bytes_total, 1.0) if state.bytes_total else 1.0
            parts.append(f"{state.bytes_done / 1e6:,.1f} of {state.bytes_total / 1e6:,.1f} MB ({share:.0%})")
        if state.files_total > 1:
            parts.append(f"file {min(state.files_done + 1, state.files_total):,} of {state.files_total:,}")
        if state.finished:
            parts.append(f"done in {_duration(elapsed)}")
        else:
            left = _time_left(state, elapsed)
            if left is not None:
                parts.append(f"about {_duration(left)} left")
        return " · ".join(parts)


def _time_left(state: Progress, elapsed: float) -> float | None:
    if state.bytes_total and state.bytes_done:
        return elapsed * (state.bytes_total - state.bytes_done) / state.bytes_done
    if state.files_total and state.files_done:
        return elapsed * (state.files_total - state.files_done) / state.files_done
    return None


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Command(BaseCommand):
    help = (
        "Import articles from files and folders: plain text (.txt), JSON Lines (.jsonl), Markdown with "
        "front matter (.md), saved web pages (.html), web archives (.warc, .warc.gz) and RSS or Atom "
        "feeds (.rss, .atom, .xml). Articles already in the archive are left unchanged. Exit status: "
        "0 all imported or already there, 1 something failed, 2 usage error."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders to import")
        parser.add_argument("--source", help="source name for articles that do not name one")
        parser.add_argument("--format", choices=FORMATS, dest="file_format",
                            help="read every file as this format, whatever its name")
        parser.add_argument("--require-date", action="store_true",
                            help="refuse stories without a date (by default they are stored as undated)")
        parser.add_argument("--fetch", action="store_true",
                            help="for feeds: fetch each entry's page and import its full text")
        parser.add_argument("--report", metavar="FILE",
                            help="write every failure to FILE as JSON Lines (file, line or record, reason)")
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, paths, source, file_format, require_date, fetch, report, batch_size, verbosity,
               **options):
        self.check_usage(paths, file_format)
        default_source = None
        if source:
            default_source, _ = Source.objects.get_or_create(name=source.strip())
        err = self.stderr._out
        progress = ImportProgress(err) if verbosity > 0 else None
        # Before: an archive without an index gets one now, so the import indexes as it goes.
        self.update_index(verbosity)
        try:
            failure_log = open(report, "w", encoding="utf-8") if report else None  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"cannot write the report {report}: {error.strerror}", returncode=2) from None
        try:
            result = import_articles(
                paths=paths,
                default_source=default_source,
                batch_size=batch_size,
                progress=progress,
                require_date=require_date,
                file_format=file_format,
                fetch=fetch_page if fetch else None,
                failure_log=failure_log,
            )
        finally:
            if failure_log is not None:
                failure_log.close()
        self.update_index(verbosity)  # after: whatever is still queued
        self.print_report(result, verbosity, report)
        if result.files == 0:
            raise CommandError("No importable files found (see --help for the formats).", returncode=2)
        if not result.ok:
            raise CommandError(f"{result.failed:,} failed.", returncode=1)

    def check_usage(self, paths: list[str], file_format: str | None) -> None:
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                raise CommandError(f"{raw}: no such file or folder", returncode=2)
        if file_format is None:
            for candidate in find_files(path for path in paths if not Path(path).is_dir()):
                if candidate.format is None:
                    raise CommandError(f"{candidate.path}: {unsupported_reason(candidate.path)}", returncode=2)

    def update_index(self, verbosity: int) -> None:
        # The search app brings a missing index into being (and applies anything still
        # queued); archive never opens the index itself.
        out = StringIO()
        call_command("update_index", stdout=out, stderr=out, verbosity=0)
        if verbosity > 1 or "rebuilding" in out.getvalue():
            self.stderr.write(out.getvalue().rstrip())

    def print_report(self, result, verbosity: int, report_path: str | None) -> None:
        write = self.stderr.write
        if verbosity > 1:
            for item in result.unchanged:
                write(f"unchanged: {item}")
        for failure in result.failures[:SHOW_FAILURES]:
            write(f"failed: {failure}")
        if result.failed > SHOW_FAILURES:
            more = f"… and {result.failed - SHOW_FAILURES:,} more failures"
            write(more + (f" (all in {report_path})" if report_path else " (use --report FILE to list them all)"))
        for duplicate in result.near_duplicates[:SHOW_FAILURES]:
            write(f"near-duplicate: {duplicate.label} repeats article {duplicate.original_id} "
                  f"(stored as article {duplicate.article_id}, linked to it)")
        if result.skipped:
            write(f"skipped (not articles): {result.skipped_summary()}")
        style = self.style.SUCCESS if result.ok else self.style.WARNING
        write(style(result.summary()))


