from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = [
    (
        "Administrator",
        "administrator",
        "Manages users, Enterprise Settings and everything the account can do.",
        ["manage_users", "manage_enterprise_settings", "view_audit_log"],
    ),
    ("General User", "general-user", "Orders and manages services.", []),
    ("Billing", "billing", "Views invoices and usage and makes payments.", []),
    ("Read Only", "read-only", "Sees the account but changes nothing.", []),
]


def create_default_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Role = apps.get_model("accounts", "Role")
    Permission = apps.get_model("auth", "Permission")
    for name, slug, description, codenames in ROLES:
        role, created = Role.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        if created:
            role.permissions.set(
                Permission.objects.filter(
                    content_type__app_label="accounts", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_default_roles, migrations.RunPython.noop)]
