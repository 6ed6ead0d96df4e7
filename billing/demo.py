"""Demo data of usage: a month of the demo enterprise's traffic, from the traffic simulator.

The 30 days before today in the enterprise's time zone (billing.simulator, seed SEED), loaded
as the API loads records. The simulator's records are the same for the same day whatever the
run, so a second run stores nothing new and a run on a later day adds only the days since.
"""

from accounts.demo import demo_enterprise

from . import simulator
from .loading import load_rows
from .models import RecordKind

SEED = 1
DAYS = 30
# A weekday's volume: enough for the charts to show their curves, little enough for a quick load.
CALLS_PER_DAY = 1500
MESSAGES_PER_DAY = 300
EVENTS_PER_DAY = 150


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
