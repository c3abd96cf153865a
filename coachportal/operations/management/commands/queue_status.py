"""Print the background task queue: how many tasks wait, run and failed, and how long the oldest waits.

manage.py queue_status

Watch `waiting` and `oldest waiting`: if they keep growing, the workers do not keep up (add a worker
process); tasks running for hours were most likely left by a killed worker (the scheduler jobs recover
their work; see the README).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from coachportal.operations.queue import LONG_RUNNING, RECENT, queue_status
from coachportal.operations.queue import short_age as age


def hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:g} h"


class Command(BaseCommand):
    help = "Show the task queue: tasks waiting, running and recently failed, and the oldest waiting age."

    def handle(self, *args, **options):
        status = queue_status()
        long_running = (
            f" ({status.running_long} for more than {age(LONG_RUNNING)}: probably left by a killed worker)"
            if status.running_long
            else ""
        )
        lines = [
            f"waiting: {status.waiting}",
            f"oldest waiting: {age(status.oldest_waiting_age)}",
            f"deferred (retries, scheduled): {status.deferred}",
            f"running: {status.running}{long_running}",
            f"oldest running: {age(status.oldest_running_age)}",
            f"failed in the last {hours(RECENT)}: {status.failed}",
            f"succeeded in the last {hours(RECENT)}: {status.succeeded}",
        ]
        if status.tasks:
            width = max(len(task.name) for task in status.tasks)
            lines += ["", f"{'task':<{width}}  waiting  deferred  running  failed  succeeded"]
            lines += [
                f"{t.name:<{width}}  {t.waiting:>7}  {t.deferred:>8}  {t.running:>7}  {t.failed:>6}"
                f"  {t.succeeded:>9}"
                for t in status.tasks
            ]
        self.stdout.write("\n".join(lines))
