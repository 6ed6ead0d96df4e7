"""Progress of a job, saved so that its page sees it at once, whatever the job is doing.

A job's own database connection can be the wrong place for the report. While an export reads its
rows with one COPY, the connection runs nothing else: psycopg runs one statement at a time per
connection, so a save there would wait for the COPY to end, and the COPY waits for the job. And
inside any transaction, what is saved is seen by others only when it commits. There the progress
is saved through a connection of its own: Django gives each thread its own, so a short-lived
thread makes the one UPDATE and closes its connection again.
"""

import contextvars
import threading

from django.db import connections, router


def report_progress(job, done, total=None, message=None):
    """Save job.report_progress(done, total, message), committed at once."""
    alias = router.db_for_write(type(job), instance=job)
    if not connections[alias].in_atomic_block:
        job.report_progress(done, total, message)
        return
    errors = []

    def save():
        try:
            job.report_progress(done, total, message)
        except Exception as error:
            errors.append(error)
        finally:
            connections[alias].close()

    # The thread runs in the job's context: its tenant scope and time zone.
    thread = threading.Thread(target=contextvars.copy_context().run, args=(save,))
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
