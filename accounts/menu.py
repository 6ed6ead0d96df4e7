"""The Applications entry of the menu: shown when the enterprise has contracted applications.

Every page shows the menu, so whether an enterprise has any is kept in the cache, per enterprise,
and forgotten whenever its applications change (the receivers below). The timeout bounds how
long a value read at the same moment as a change can stay wrong.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, pre_delete
from django.dispatch import receiver

from .models import Application, Enterprise

TIMEOUT = 300


def _key(enterprise_id):
    return f"accounts:has-applications:{enterprise_id}"


def has_applications(enterprise):
    key = _key(enterprise.pk)
    known = cache.get(key)
    if known is None:
        known = enterprise.applications.exists()
        cache.set(key, known, TIMEOUT)
    return known


def _forget(enterprise_ids):
    keys = [_key(pk) for pk in enterprise_ids]
    if not keys:
        return
    cache.delete_many(keys)
    # Again once the change is committed: a page shown meanwhile may have cached the old value.
    transaction.on_commit(lambda: cache.delete_many(keys))


@receiver(m2m_changed, sender=Enterprise.applications.through)
def applications_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        # instance is the enterprise whose applications changed.
        if action in ("post_add", "post_remove", "post_clear"):
            _forget([instance.pk])
    elif action == "pre_clear":
        # instance is an application taken from every enterprise that has it.
        _forget(list(instance.enterprises.values_list("pk", flat=True)))
    elif action in ("post_add", "post_remove"):
        _forget(pk_set)


@receiver(pre_delete, sender=Application)
def application_deleted(sender, instance, **kwargs):
    _forget(list(instance.enterprises.values_list("pk", flat=True)))
