from django.db import migrations

from core.postgres import PostgresOnlySQL, TrigramExtension

# (table, column, referenced table): the row's reference and its own enterprise must point at
# a row of the same enterprise. A null reference is not checked (MATCH SIMPLE).
SAME_ENTERPRISE = [
    ("phone_numbers_phonenumber", "package_id", "trunks_package"),
    ("phone_numbers_phonenumber", "routing_policy_id", "trunks_routingpolicy"),
    ("phone_numbers_phonenumber", "trunk_id", "trunks_trunk"),
    ("phone_numbers_phonenumber", "e911_address_id", "phone_numbers_e911address"),
    ("phone_numbers_numberorder", "package_id", "trunks_package"),
    ("phone_numbers_numberorder", "routing_policy_id", "trunks_routingpolicy"),
    ("phone_numbers_numberorder", "trunk_id", "trunks_trunk"),
    ("phone_numbers_numberorder", "e911_address_id", "phone_numbers_e911address"),
    ("phone_numbers_numbercount", "package_id", "trunks_package"),
]


def same_enterprise_key(table, column, referenced):
    name = f"{table}_{column}_same_enterprise"
    return PostgresOnlySQL(
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" '
        f'FOREIGN KEY ("{column}", "enterprise_id") REFERENCES "{referenced}" ("id", "enterprise_id") '
        "DEFERRABLE INITIALLY DEFERRED",
        f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"',
    )


class Migration(migrations.Migration):
    """What SQLite cannot hold: keys that keep a number's package, routing and E911 address
    within its own enterprise, and the "contains" search on numbers (`e164__contains`)."""

    dependencies = [
        ("phone_numbers", "0001_initial"),
        ("trunks", "0003_id_enterprise_keys"),
    ]

    operations = [
        *(same_enterprise_key(*key) for key in SAME_ENTERPRISE),
        TrigramExtension(),
        PostgresOnlySQL(
            'CREATE INDEX IF NOT EXISTS "phone_numbers_phonenumber_e164_trgm" '
            'ON "phone_numbers_phonenumber" USING gin ("e164" gin_trgm_ops)',
            'DROP INDEX IF EXISTS "phone_numbers_phonenumber_e164_trgm"',
        ),
    ]
