from itertools import groupby

from django.shortcuts import render
from django.urls import reverse

from core.help import app_faqs
from core.navigation import tabs
from core.tenancy import enterprise_member_required

from .models import Contact, Faq
from .permissions import VIEW_CASES


def help_tabs(request):
    entries = [("FAQs", reverse("support:help")), ("Contact Us", reverse("support:contact"))]
    if request.user.has_perm(VIEW_CASES):
        entries.append(("Support Cases", reverse("support:cases")))
    return tabs(request, entries)


def published_faqs():
    """The apps' FAQs and those staff wrote, by topic.

    A FAQ staff wrote with the question of an app's replaces it; unpublished, it hides it.
    """
    written = {faq.question: faq for faq in Faq.objects.all()}
    faqs = [faq for faq in app_faqs() if faq.question not in written]
    faqs += [faq for faq in written.values() if faq.published]
    return sorted(faqs, key=lambda faq: (faq.topic, faq.position, faq.question))


@enterprise_member_required
def help_index(request):
    faqs = published_faqs()
    topics = [(topic, list(items)) for topic, items in groupby(faqs, key=lambda faq: faq.topic)]
    return render(request, "support/help.html", {"topics": topics, "tabs": help_tabs(request)})


@enterprise_member_required
def contact_us(request):
    team_order = list(Contact.Team.values)
    contacts = sorted(
        Contact.objects.all(),
        key=lambda contact: (team_order.index(contact.team), contact.position),
    )
    teams = [
        (Contact.Team(team).label, list(items))
        for team, items in groupby(contacts, key=lambda contact: contact.team)
    ]
    return render(request, "support/contact.html", {"teams": teams, "tabs": help_tabs(request)})
