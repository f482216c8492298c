"""The tallies belong to the figures core in the cases app now (cases.figures): their tables are
renamed in place, rows and indexes kept, and the models leave this app's state
(cases 0005 takes them into its own)."""

from django.db import migrations

MODELS = ["CaseTally", "ThemeTally", "ThemeYearTally"]


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0004_theme_year_tally"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=name.lower(), table=f"cases_{name.lower()}")
                for name in MODELS
            ],
            state_operations=[migrations.DeleteModel(name=name.lower()) for name in MODELS],
        ),
    ]
