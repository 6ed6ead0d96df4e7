"""Demo data of usage: a month of the demo enterprise's traffic, from the traffic simulator, and
its daily ADR files.

The 30 days before today in the enterprise's time zone (billing.simulator, seed SEED), loaded
as the API loads records. The simulator's records are the same for the same day whatever the
run, so a second run stores nothing new and a run on a later day adds only the days since.

ADR File Delivery is enabled as if ADR_DAYS days ago, with a password login on the secure FTP
site (the demo password): `bin/run` starts the SFTP server and then `manage.py
deliver_adr_files`, which delivers those days' files as the hourly cron would.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.demo import demo_enterprise

from . import simulator
from .credentials import account_for
from .loading import load_rows
from .models import RecordKind, SftpCredential

SEED = 1
DAYS = 30
# A weekday's volume: enough for the charts to show their curves, little enough for a quick load.
CALLS_PER_DAY = 1500
MESSAGES_PER_DAY = 300
EVENTS_PER_DAY = 150
ADR_DAYS = 7


def load(run):
    enterprise = demo_enterprise()
    start, end = simulator.last_days(enterprise, DAYS)
    load_rows(
        RecordKind.CALL,
        simulator.calls(enterprise, start, end, seed=SEED, calls_per_day=CALLS_PER_DAY),
    )
    load_rows(
        RecordKind.MESSAGE,
        simulator.messages(enterprise, start, end, seed=SEED, messages_per_day=MESSAGES_PER_DAY),
    )
    load_rows(
        RecordKind.APP,
        simulator.app_events(enterprise, start, end, seed=SEED, events_per_day=EVENTS_PER_DAY),
    )
    load_adr_delivery(run, enterprise)


def load_adr_delivery(run, enterprise):
    if not enterprise.adr_delivery_enabled:
        enterprise.adr_delivery_enabled = True
        enterprise.adr_delivery_changed_at = timezone.now() - timedelta(days=ADR_DAYS)
        enterprise.save(update_fields=["adr_delivery_enabled", "adr_delivery_changed_at"])
    account = account_for(enterprise)
    active = SftpCredential.objects.filter(
        account=account, kind=SftpCredential.Kind.PASSWORD, revoked_at__isnull=True
    )
    if not active.exists():
        SftpCredential.objects.create(
            enterprise=enterprise,
            account=account,
            kind=SftpCredential.Kind.PASSWORD,
            password_hash=run.password.hash,
        )
    site = settings.ADR_SFTP
    run.say(
        f"Secure FTP site of {enterprise.name}'s ADR files: "
        f"sftp -P {site['PUBLIC_PORT']} {account.username}@{site['PUBLIC_HOST']} "
        "(the same password)"
    )
