from django.contrib import admin

from .models import Contact, Faq


@admin.register(Faq)
class FaqAdmin(admin.ModelAdmin):
    list_display = ["question", "topic", "position", "published"]
    list_editable = ["position", "published"]
    list_filter = ["topic", "published"]
    search_fields = ["question", "answer"]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "subtitle": "Help & Support also lists the FAQs each app writes about what it "
            "builds. A FAQ here with the same question replaces one of them; unpublished, it "
            "hides it.",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["label", "team", "phone", "email", "hours", "position"]
    list_editable = ["position"]
    list_filter = ["team"]
    search_fields = ["label", "phone", "email"]
