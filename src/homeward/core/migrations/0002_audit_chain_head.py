from django.db import migrations


def create_head(apps, schema_editor):
    # The head row must exist before two writers first append at once; otherwise both would
    # try to create it. core.audit.record still creates it if a test flush removed it.
    apps.get_model("core", "AuditChainHead").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
