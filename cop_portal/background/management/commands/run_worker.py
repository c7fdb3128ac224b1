import os
from argparse import ArgumentTypeError

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from cop_portal.background.worker import Worker, worker_id_default


def _seconds(value: str) -> float:
    seconds = db_worker.valid_interval(value)
    if not seconds:
        raise ArgumentTypeError("Must be greater than zero")
    return seconds


class Command(db_worker.Command):
    help = (
        "Run queued tasks, and the schedules in BACKGROUND_SCHEDULES, until stopped (SIGTERM "
        "lets the task in hand finish). Run one or more on each machine: each schedule's slot "
        "runs once however many there are. Survives the database going away for a while."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Every queue unless told otherwise: a queue added later must not wait for a deploy
        # to change the command line before anything runs its tasks.
        parser.set_defaults(worker_id=worker_id_default(), queue_name="*")
        parser.add_argument(
            "--heartbeat",
            type=_seconds,
            default=15,
            help="Seconds between heartbeats, each of which also queues the schedules that "
            "are due (default: %(default)s).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Run tasks only, and leave queueing the schedules to the other workers.",
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        exclude_queues,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        heartbeat,
        scheduler,
        **options,
    ):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            # A batch run stops once the queue is empty: it is not a worker others rely on.
            heartbeat=None if batch else heartbeat,
            scheduler=scheduler,
        )
        if reload and not batch:
            # As db_worker does: only the reloader's child, which runs the worker, stops on
            # signals; the parent just restarts it when the code changes.
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
