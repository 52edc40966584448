"""Load the bundled service catalogue (services.toml), by code; re-running changes nothing.

Later changes to the file are loaded with ``homeward.cases.services.load_catalogue``, which also
writes the audit log; this migration only gives a new database its starting catalogue.
"""

from django.db import migrations


def load(apps, schema_editor):
    from homeward.cases.catalogue import read_catalogue

    ServiceType = apps.get_model("cases", "ServiceType")
    for spec in read_catalogue():
        values = spec.model_values()
        service = ServiceType.objects.filter(code=spec.code).first()
        if service is None:
            ServiceType.objects.create(code=spec.code, from_catalogue=True, **values)
        else:
            for name, value in values.items():
                setattr(service, name, value)
            service.save()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
