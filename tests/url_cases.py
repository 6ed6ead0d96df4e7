"""What each app declares for the URL x persona test (tests/test_url_permissions.py).

Each app in settings.PORTAL_APPS has a module <app>/tests/url_cases.py with
- CASES: {url name: Case} for every named URL of the app, and
- objects(enterprise, admin_user, general_user): {builder name: URL kwargs} for the URLs that
  name an object; the objects belong to Acme, the personas' enterprise; and optionally
- in_place(): a context manager the test enters around it all, for what the app's URLs need
  registered while they are walked (orders registers a test order kind with it).
"""

from dataclasses import dataclass, field

PERSONAS = ["admin", "general", "read_only", "outsider"]


@dataclass
class Case:
    method: str = "get"
    kwargs: str | None = None  # the key in objects() giving the URL's kwargs
    names_object: bool = True  # the kwargs name an object of Acme (not a table or a token)
    allowed: dict = field(default_factory=dict)  # persona -> status; others get the default
    default: int = 200

    def expected(self, persona):
        if persona in self.allowed:
            return self.allowed[persona]
        if persona == "outsider" and self.kwargs and self.names_object:
            # Another enterprise's object: it must look as if it did not exist.
            return 404
        return self.default


ADMIN_ONLY = {"general": 403, "read_only": 403}
