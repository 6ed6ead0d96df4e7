from django.contrib import admin

from .models import Contact, Faq


@admin.register(Faq)
class FaqAdmin(admin.ModelAdmin):
    list_display = ["question", "topic", "position", "published"]
    list_editable = ["position", "published"]
    list_filter = ["topic", "published"]
    search_fields = ["question", "answer"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["label", "team", "phone", "email", "hours", "position"]
    list_editable = ["position"]
    list_filter = ["team"]
    search_fields = ["label", "phone", "email"]
