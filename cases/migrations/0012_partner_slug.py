"""Partners get a slug, the address of their public page, made from the English name."""

from django.db import migrations, models
from django.utils.text import slugify


def fill_slugs(apps, schema_editor):
    Partner = apps.get_model("cases", "Partner")
    taken = set()
    partners = list(Partner.objects.order_by("pk"))
    for partner in partners:
        stem = slugify(partner.name_en)[:200] or "partner"
        slug, n = stem, 1
        while slug in taken:
            n += 1
            slug = f"{stem}-{n}"
        taken.add(slug)
        partner.slug = slug
    Partner.objects.bulk_update(partners, ["slug"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_search_document"),
    ]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="slug",
            field=models.SlugField(
                blank=True, db_index=False, default="", max_length=220, verbose_name="slug"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="partner",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="The address of its public page; made from the English name when left blank.",
                max_length=220,
                unique=True,
                verbose_name="slug",
            ),
        ),
    ]
