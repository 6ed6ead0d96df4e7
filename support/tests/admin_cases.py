from support.models import Contact, Faq
from tests.admin_cases import Changelist

CHANGELISTS = {
    "support.faq": Changelist(
        "port", "published__exact=1&topic=Porting", "How long does a port take?"
    ),
    "support.contact": Changelist("877", "team__exact=support", "Network Operations Center"),
}


def records(enterprise, admin_user, general_user):
    Faq.objects.create(topic="Porting", question="How long does a port take?", answer="15 days.")
    Contact.objects.create(
        team=Contact.Team.SUPPORT, label="Network Operations Center", phone="+1 877-555-0100"
    )
    return {}
