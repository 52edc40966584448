"""The audit log becomes several chains, so concurrent writers no longer queue behind one row lock.

Every existing entry stays where it was: in chain 1, at the position of its sequence number, hashed
as before. The database draws the sequence numbers from now on (it continues after the highest one).
"""

from django.db import migrations, models

CHAINS = 8  # core.audit.CHAINS when this migration was written


def place_existing_entries(apps, schema_editor):
    entries = apps.get_model("core", "AuditEntry")
    entries.objects.update(position=models.F("sequence"))
    heads = apps.get_model("core", "AuditChainHead")
    for chain in range(1, CHAINS + 1):
        heads.objects.get_or_create(id=chain)


def continue_numbering(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT continues after the highest key already
    table = apps.get_model("core", "AuditEntry")._meta.db_table
    schema_editor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'sequence'), COALESCE(MAX(sequence), 0) + 1, false) "
        f"FROM {table}"
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_alter_auditentry_action")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="chain"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="position",
            field=models.BigIntegerField(null=True, verbose_name="position in its chain"),
        ),
        migrations.RunPython(place_existing_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="position",
            field=models.BigIntegerField(verbose_name="position in its chain"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.BigAutoField(primary_key=True, serialize=False, verbose_name="sequence"),
        ),
        migrations.RunPython(continue_numbering, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain", "position"), name="core_audit_chain_position_unique"),
        ),
    ]
