"""Run the background job worker for the task backend chosen in settings.

Beside the backend's own worker loop (``db_worker`` of django-tasks-db, or RQ's
worker), a housekeeping thread re-queues jobs a dead worker left running, sends
queued jobs that no task carries, and runs the periodic checks (the index queue,
feed polling, digests).
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.jobs import housekeeping, run_job, start_housekeeping


class Command(BaseCommand):
    help = "Run background jobs (re-tagging, index updates, uploaded imports, feed polling, digests)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between looks at an empty queue (database backend).")
        parser.add_argument("--batch", action="store_true",
                            help="Run every job that is ready, then stop (database backend).")

    def handle(self, *, interval: float, batch: bool, verbosity: int, **options) -> None:
        from django_tasks.backends.immediate import ImmediateBackend
        from django_tasks_db import DatabaseBackend

        backend = run_job.get_backend()
        # Recover before taking new work, so a job a previous worker left running is first in line.
        housekeeping()
        if batch:
            if isinstance(backend, DatabaseBackend):
                call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False,
                             verbosity=verbosity)
            return
        stop = start_housekeeping()
        try:
            if isinstance(backend, DatabaseBackend):
                self.stdout.write("Job worker: database backend")
                call_command("db_worker", interval=interval, startup_delay=False, reload=False,
                             verbosity=verbosity)
            elif isinstance(backend, ImmediateBackend):
                self.stdout.write("Jobs run at once in the process that asks (immediate backend); "
                                  "this worker only runs the periodic checks.")
                stop.wait()
            else:
                self.stdout.write(f"Job worker: {type(backend).__name__}")
                call_command("rqworker", *sorted(backend.queues), job_class="django_tasks_rq.Job",
                             with_scheduler=True, verbosity=verbosity)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
