"""The planner's statistics behind the Actor email search (audit migration 0004)."""

from django.db import connection


def test_the_actor_search_index_keeps_statistics_on_every_actor(db):
    # With the default 100 most common addresses the planner misjudged how many events a
    # search matches, and read and sorted all of them instead of the newest page.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute"
            " WHERE attrelid = 'audit_auditevent_actor_email_trgm'::regclass AND attnum = 1"
        )
        assert cursor.fetchone() == (1000,)
