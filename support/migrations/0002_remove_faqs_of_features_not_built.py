"""Remove the FAQs the demo data once loaded about features the portal has not built yet.

Numbers, porting, invoices and payments: each app writes its own FAQs (its faqs.py) when it is
built. The answer about following orders said that new numbers appear on the dashboard; the
orders app's own FAQ replaces it.
"""

from django.db import migrations

QUESTIONS = [
    "How do I order new phone numbers?",
    "Where can I see the status of my orders?",
    "How do I port numbers from my current carrier?",
    "Why do I have to upload a Letter of Agency (LOA)?",
    "How long does a port take?",
    "What is the difference between a partial and a full port?",
    "Where do I find my invoices and usage?",
]


def remove_faqs(apps, schema_editor):
    apps.get_model("support", "Faq").objects.filter(question__in=QUESTIONS).delete()


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(remove_faqs, migrations.RunPython.noop)]
