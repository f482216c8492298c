"""Count the cases already in the register into the new tallies."""

from django.db import migrations


def fill(apps, schema_editor):
    # Self-contained: the tallies' code has moved on (to cases.figures) since this ran; the
    # statements name only the tables and columns the tallies had at this point.
    Case = apps.get_model("cases", "Case")
    CaseTally = apps.get_model("dashboard", "CaseTally")
    ThemeTally = apps.get_model("dashboard", "ThemeTally")
    quote = schema_editor.connection.ops.quote_name
    case, themes = quote(Case._meta.db_table), quote(Case.themes.through._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(CaseTally._meta.db_table)} "
            "(fiscal_year, region_id, state_id, cases) "
            f"SELECT c.fiscal_year, c.region_id, c.state_id, COUNT(*) FROM {case} c "
            "WHERE c.status = 'held' GROUP BY c.fiscal_year, c.region_id, c.state_id"
        )
        cursor.execute(
            f"INSERT INTO {quote(ThemeTally._meta.db_table)} "
            "(fiscal_year, region_id, state_id, theme_id, cases) "
            "SELECT c.fiscal_year, c.region_id, c.state_id, t.theme_id, COUNT(*) "
            f"FROM {case} c JOIN {themes} t ON t.case_id = c.id WHERE c.status = 'held' "
            "GROUP BY c.fiscal_year, c.region_id, c.state_id, t.theme_id"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("cases", "0003_publishing_workflow"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
