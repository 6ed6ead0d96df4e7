"""What each app declares for the back-office test (tests/test_admin.py).

An app in settings.PORTAL_APPS that registers models in the back office has a module
<app>/tests/admin_cases.py with
- CHANGELISTS: {model label: Changelist} for every model of the app in the back office, and
- records(enterprise, admin_user, general_user): creates rows of Acme, the personas'
  enterprise, that the lists show; returns {name: value} for the placeholders its filters use
  besides {ent} (Acme's id); and optionally
- in_place(): a context manager the test enters around it all (as in url_cases.py).
"""

from dataclasses import dataclass


@dataclass
class Changelist:
    search: str  # a search that finds the row
    filters: str  # a query string of the ModelAdmin's filters; {ent} and records()' names
    shows: str  # text of the row that the list must show
