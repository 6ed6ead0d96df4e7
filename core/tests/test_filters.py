"""DateRangeFilterSet: whole days in the viewer's time zone; From after To is refused."""

import zoneinfo
from datetime import datetime

import pytest
from django.utils import timezone

from core.filters import DateRangeFilterSet
from core.models import Job

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")


class JobFilter(DateRangeFilterSet):
    date_field = "created_at"

    class Meta:
        model = Job
        fields = ["date_from", "date_to"]


@pytest.fixture
def jobs(enterprise):
    made = {}
    # 23:30 in Denver on March 2 is already March 3 in UTC.
    for name, at in [
        ("late on the 2nd", datetime(2026, 3, 2, 23, 30, tzinfo=DENVER)),
        ("on the 3rd", datetime(2026, 3, 3, 12, 0, tzinfo=DENVER)),
        ("on the 4th", datetime(2026, 3, 4, 0, 30, tzinfo=DENVER)),
    ]:
        job = Job.objects.create(enterprise=enterprise, title=name)
        Job.objects.filter(pk=job.pk).update(created_at=at)
        made[name] = job
    return made


def titles(data):
    with timezone.override(DENVER):
        filterset = JobFilter(data, queryset=Job.objects.all())
        assert filterset.is_valid(), filterset.errors
        return sorted(job.title for job in filterset.qs)


def test_a_day_is_a_whole_day_in_the_viewers_zone(jobs):
    assert titles({"date_from": "2026-03-03", "date_to": "2026-03-03"}) == ["on the 3rd"]
    assert titles({"date_from": "2026-03-02", "date_to": "2026-03-03"}) == [
        "late on the 2nd",
        "on the 3rd",
    ]
    assert titles({"date_from": "2026-03-04"}) == ["on the 4th"]


def test_from_after_to_is_refused_at_the_from_field(jobs):
    filterset = JobFilter(
        {"date_from": "2026-03-04", "date_to": "2026-03-02"}, queryset=Job.objects.all()
    )
    assert not filterset.is_valid()
    assert filterset.errors == {"date_from": ["From must be on or before To."]}
