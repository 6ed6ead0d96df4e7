"""Demo data: each app registers a loader that `manage.py demo_data` runs.

A loader takes a DemoRun and adds what is missing; running it again changes nothing. Loaders
run in the order of their `order`; later ones may look up what earlier ones made.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password

DEFAULT_PASSWORD = "demo-portal-2026!"  # noqa: S105 (documented in the README)


@dataclass(frozen=True)
class DemoLoader:
    name: str
    load: Callable
    order: int = 100


_loaders: list[DemoLoader] = []


def register(name, load, *, order=100):
    if any(loader.name == name for loader in _loaders):
        raise ValueError(f"A demo data loader named {name!r} is already registered.")
    _loaders.append(DemoLoader(name, load, order))
    _loaders.sort(key=lambda loader: loader.order)


def loaders():
    return list(_loaders)


class DemoPassword:
    """The demo password, hashed and checked as few times as possible: both are slow on purpose."""

    def __init__(self, raw):
        self.raw = raw
        self._hash = None
        self._checked = {}

    @property
    def hash(self):
        if self._hash is None:
            self._hash = make_password(self.raw)
        return self._hash

    def matches(self, encoded):
        if encoded not in self._checked:
            self._checked[encoded] = check_password(self.raw, encoded)
        return self._checked[encoded]


@dataclass
class DemoRun:
    """What loaders share: the demo password, and the lines printed when all have run."""

    password: DemoPassword
    lines: list[str] = field(default_factory=list)

    def say(self, line):
        self.lines.append(line)
