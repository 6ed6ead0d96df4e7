"""Help texts add to the label: none repeats the "(optional)" the label shows already."""

import importlib
import importlib.util
import pkgutil

from django import forms
from django.conf import settings


def form_classes():
    """Every form class of the portal's apps' forms modules (forms.py or forms/*.py)."""
    for app in settings.PORTAL_APPS:
        if importlib.util.find_spec(f"{app}.forms") is None:
            continue
        package = importlib.import_module(f"{app}.forms")
        modules = [package] + [
            importlib.import_module(module.name)
            for module in pkgutil.iter_modules(getattr(package, "__path__", []), f"{app}.forms.")
        ]
        for module in modules:
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, forms.BaseForm)
                    and value.__module__ == module.__name__
                ):
                    yield value


def test_the_walk_finds_the_forms():
    names = {form_class.__name__ for form_class in form_classes()}
    assert {"InviteForm", "NewPackageForm", "PolicyForm", "OrderForm"} <= names


def test_no_help_text_says_optional():
    saying_optional = [
        f"{form_class.__module__}.{form_class.__name__}.{name}: {field.help_text}"
        for form_class in form_classes()
        for name, field in form_class.base_fields.items()
        if str(field.help_text).lower().startswith("optional")
    ]
    assert saying_optional == []
