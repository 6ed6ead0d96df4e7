"""Help entries (FAQs) each app writes about what it builds, in its own faqs.py:

    FAQS = [Faq("Ordering", "How do I order a trunk?", "In the left-side menu, ...")]

Help & Support lists them with the FAQs staff write in the back office, so that an entry about
a feature comes with the app that builds it, and never before.
"""

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@dataclass(frozen=True)
class Faq:
    topic: str
    question: str
    answer: str  # plain text; blank lines start new paragraphs
    position: int = 0  # lower comes first within the topic


@cache
def app_faqs():
    """The FAQS of every installed app's faqs.py, in the order of INSTALLED_APPS."""
    faqs = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "faqs"):
            faqs += import_module(f"{app_config.name}.faqs").FAQS
    return tuple(faqs)
