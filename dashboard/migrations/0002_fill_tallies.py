"""Count the cases already in the register into the new tallies."""

from django.db import migrations


def fill(apps, schema_editor):
    # The SQL names only the tables and columns the tallies have had from the start; the
    # theme-by-year tally came later (0004, which fills it).
    from dashboard import tallies

    tallies.refresh(None, national=False)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("cases", "0003_publishing_workflow"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
