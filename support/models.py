from django.db import models


class Faq(models.Model):
    """A question and answer shown under Help & Support, edited by staff."""

    topic = models.CharField(max_length=80, help_text="FAQs are grouped by topic.")
    question = models.CharField(max_length=250)
    answer = models.TextField(help_text="Plain text; blank lines start new paragraphs.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["topic", "position", "question"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question


class Contact(models.Model):
    """A way to reach a team of the carrier, listed under Contact Us."""

    class Team(models.TextChoices):
        SUPPORT = "support", "Support"
        SALES = "sales", "Sales"
        BILLING = "billing", "Billing"

    team = models.CharField(max_length=10, choices=Team)
    label = models.CharField(max_length=80, help_text="For example: 24/7 NOC, Account management.")
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    hours = models.CharField(max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["team", "position", "label"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(phone="", email=""),
                name="contact_has_phone_or_email",
                violation_error_message="Give a phone number, an email address or both.",
            )
        ]

    def __str__(self):
        return f"{self.get_team_display()}: {self.label}"
