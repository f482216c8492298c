"""The tallies join the cases app (cases.figures). Their tables were renamed to this app's
names by dashboard 0005; this takes the models into the app's state without touching the
database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_count_labels"),
        ("dashboard", "0005_tallies_move_to_cases"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CaseTally",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("fiscal_year", models.PositiveSmallIntegerField(verbose_name="fiscal year")),
                        ("cases", models.PositiveIntegerField(verbose_name="number of cases")),
                        ("region", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.region", verbose_name="region")),
                        ("state", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.state", verbose_name="state")),
                    ],
                    options={
                        "verbose_name": "case tally",
                        "verbose_name_plural": "case tallies",
                        "indexes": [
                            models.Index(fields=["fiscal_year", "region"], name="casetally_year_region"),
                            models.Index(fields=["region", "fiscal_year"], name="casetally_region_year"),
                            models.Index(fields=["state", "fiscal_year"], name="casetally_state_year"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ThemeTally",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("fiscal_year", models.PositiveSmallIntegerField(verbose_name="fiscal year")),
                        ("cases", models.PositiveIntegerField(verbose_name="number of cases")),
                        ("region", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.region", verbose_name="region")),
                        ("state", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.state", verbose_name="state")),
                        ("theme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.theme", verbose_name="theme")),
                    ],
                    options={
                        "verbose_name": "theme tally",
                        "verbose_name_plural": "theme tallies",
                        "indexes": [
                            models.Index(fields=["fiscal_year", "region"], name="themetally_year_region"),
                            models.Index(fields=["region", "fiscal_year"], name="themetally_region_year"),
                            models.Index(fields=["state", "fiscal_year"], name="themetally_state_year"),
                            models.Index(fields=["theme", "fiscal_year"], name="themetally_theme_year"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ThemeYearTally",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("fiscal_year", models.PositiveSmallIntegerField(verbose_name="fiscal year")),
                        ("cases", models.PositiveIntegerField(verbose_name="number of cases")),
                        ("theme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.theme", verbose_name="theme")),
                    ],
                    options={
                        "verbose_name": "theme tally by fiscal year",
                        "verbose_name_plural": "theme tallies by fiscal year",
                        "constraints": [
                            models.UniqueConstraint(fields=("fiscal_year", "theme"), name="themeyeartally_one_row_per_year_theme"),
                        ],
                    },
                ),
            ],
        ),
    ]
