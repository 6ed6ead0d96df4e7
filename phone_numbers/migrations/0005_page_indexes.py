import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("phone_numbers", "0004_inventory_speed"),
        ("trunks", "0003_id_enterprise_keys"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="phonenumber",
            name="phone_number_city",
        ),
        migrations.AddIndex(
            model_name="phonenumber",
            index=models.Index(
                models.F("enterprise"),
                models.F("kind"),
                django.db.models.functions.text.Upper("city"),
                models.F("e164"),
                models.F("id"),
                include=("city", "status", "package", "area_code", "created_at"),
                name="phone_number_city",
            ),
        ),
        migrations.AlterField(
            model_name="phonenumber",
            name="package",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="phone_numbers",
                to="trunks.package",
            ),
        ),
        migrations.AddIndex(
            model_name="phonenumber",
            index=models.Index(
                condition=models.Q(("package__isnull", False)),
                fields=["package"],
                name="phone_number_package",
            ),
        ),
    ]
