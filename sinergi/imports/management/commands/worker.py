"""`sinergi worker`: the task worker (django_tasks_db's db_worker) with what imports need around it.

* At start, and then every ``--maintenance-interval`` seconds: resume imports whose run died (worker killed,
  stopped, or silent for ``SINERGI_IMPORT_STALL_SECONDS``) and delete orphan upload files.
* On SIGTERM/SIGINT: a running import stops between two chunks (``services.request_shutdown``), its batch is
  left resumable at once, and the worker exits instead of finishing an 18-minute check first.

`make run` starts two of them (docs/imports.md "Workers"): one for the default and small-import queues, one
for big imports, so a three-row file never waits behind a million-row one.
"""

from __future__ import annotations

import logging
import threading
from types import FrameType
from typing import Any

from django.core.management.base import CommandError
from django.db import close_old_connections
from django_tasks_db.management.commands import db_worker

from sinergi.imports import services

logger = logging.getLogger(__name__)


class ImportWorker(db_worker.Worker):
    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        services.request_shutdown()
        super().shutdown(signum, frame)


def maintain() -> None:
    """One maintenance pass; a failure is logged, never fatal to the worker."""
    try:
        resumed = services.resume_stalled_imports()
        if resumed:
            logger.warning("Resumed interrupted imports: %s", ", ".join(map(str, resumed)))
        services.cleanup_orphan_files()
    except Exception:
        logger.exception("Import maintenance failed; it runs again at the next interval")
    finally:
        close_old_connections()


class Command(db_worker.Command):
    help = (
        "Run the task worker, resuming interrupted imports and cleaning orphan uploads at start and periodically; "
        "SIGTERM stops a running import between chunks (resumable)."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--maintenance-interval",
            type=float,
            default=60.0,
            help="Seconds between two passes of resuming stalled imports and cleaning orphan files (0: at start only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # db_worker's own handle, without its autoreloader (a reloaded child would miss the maintenance).
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ImportWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        maintain()
        stop = threading.Event()
        if options["maintenance_interval"] > 0 and not options["batch"]:
            threading.Thread(
                target=self._maintain_every, args=(options["maintenance_interval"], stop), daemon=True
            ).start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()

    @staticmethod
    def _maintain_every(interval: float, stop: threading.Event) -> None:
        while not stop.wait(interval):
            maintain()
