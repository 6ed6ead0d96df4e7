"""The layers contract (pyproject.toml) covers every app of ours, in a layer of its own."""

import sys
import tomllib

from django.conf import settings

CONFIG = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]
(LAYERS,) = [c["layers"] for c in CONFIG["contracts"] if c["type"] == "layers"]


def layer_names():
    """Each name the contract orders, without the parentheses of a layer not written yet."""
    return [name.strip().strip("()") for layer in LAYERS for name in layer.split("|")]


def test_every_app_is_checked_by_the_layers_contract():
    # import-linter silently skips a layer whose package is not a root package.
    apps = set(settings.PORTAL_APPS)
    assert apps | {"portal"} == set(CONFIG["root_packages"])
    assert apps <= set(layer_names())


def test_no_app_is_named_after_a_module_of_python_itself():
    # A package `numbers` beside manage.py would hide Python's own, which decimal imports.
    assert not set(layer_names()) & sys.stdlib_module_names
