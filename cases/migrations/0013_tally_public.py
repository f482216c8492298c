"""The tallies count public and other cases in rows of their own (`public`), so the public
case browser and the API count their lists from them; the rows are counted again here."""

from django.db import migrations, models
from django.db.models import Count

# Case.objects.counted(), spelled out: held cases HQ has reviewed (approved or published).
HELD = "held"
REVIEWED = ("approved", "published")


def recount(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseTally = apps.get_model("cases", "CaseTally")
    ThemeTally = apps.get_model("cases", "ThemeTally")
    counted = Case.objects.filter(status=HELD, publication__in=REVIEWED).order_by()
    CaseTally.objects.all().delete()
    CaseTally.objects.bulk_create(
        CaseTally(fiscal_year=y, region_id=r, state_id=s, public=p, cases=n)
        for y, r, s, p, n in counted.values_list(
            "fiscal_year", "region_id", "state_id", "is_public"
        ).annotate(n=Count("pk"))
    )
    through = Case.themes.through
    ThemeTally.objects.all().delete()
    ThemeTally.objects.bulk_create(
        ThemeTally(fiscal_year=y, region_id=r, state_id=s, theme_id=t, public=p, cases=n)
        for y, r, s, t, p, n in through.objects.filter(case__in=counted.values("pk"))
        .order_by()
        .values_list(
            "case__fiscal_year", "case__region_id", "case__state_id", "theme_id", "case__is_public"
        )
        .annotate(n=Count("pk"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_partner_slug"),
    ]

    operations = [
        migrations.AddField(
            model_name="casetally",
            name="public",
            field=models.BooleanField(default=False, verbose_name="public"),
        ),
        migrations.AddField(
            model_name="themetally",
            name="public",
            field=models.BooleanField(default=False, verbose_name="public"),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop, elidable=True),
    ]
