from support.models import CannedReply, Contact, Faq
from support.tests.casemail import make_case
from tests.admin_cases import Changelist

CHANGELISTS = {
    "support.faq": Changelist(
        "port", "published__exact=1&topic=Porting", "How long does a port take?"
    ),
    "support.contact": Changelist("877", "team__exact=support", "Network Operations Center"),
    "support.case": Changelist(
        "CS-ADMIN1",
        "status__exact=new&priority__exact=p2&category__exact=calls_not_completing"
        "&enterprise__id__exact={ent}",
        "Calls to Denver fail",
    ),
    "support.cannedreply": Changelist("PCAP", "", "Ask for a packet capture"),
}


def records(enterprise, admin_user, general_user):
    Faq.objects.create(topic="Porting", question="How long does a port take?", answer="15 days.")
    Contact.objects.create(
        team=Contact.Team.SUPPORT, label="Network Operations Center", phone="+1 877-555-0100"
    )
    make_case(enterprise, general_user, reference="CS-ADMIN1")
    CannedReply.objects.create(
        title="Ask for a packet capture", body="Please attach a PCAP of one failing call."
    )
    return {}
