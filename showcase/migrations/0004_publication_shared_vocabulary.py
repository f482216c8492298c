"""Showcase pages speak the register's publishing vocabulary: the field a case calls
`publication`, with the same values and words (cases.models.Publication), instead of a
`status` of their own. The values were already the same (draft, submitted, published), so the
rows keep theirs; the constraints and the index that name the field are made again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("showcase", "0003_search_document"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="showcasepage", name="showcase_published_has_date"),
        migrations.RemoveConstraint(model_name="showcasepage", name="showcase_status_known"),
        migrations.RemoveIndex(model_name="showcasepage", name="showcase_listing_idx"),
        migrations.RenameField(model_name="showcasepage", old_name="status", new_name="publication"),
        migrations.AlterField(
            model_name="showcasepage",
            name="publication",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted for review"),
                    ("published", "Published"),
                ],
                default="draft",
                max_length=20,
                verbose_name="publication",
            ),
        ),
        migrations.AddIndex(
            model_name="showcasepage",
            index=models.Index(fields=["publication", "-published_at"], name="showcase_listing_idx"),
        ),
        migrations.AddConstraint(
            model_name="showcasepage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("publication", "published"), _negated=True),
                    ("published_at__isnull", False),
                    _connector="OR",
                ),
                name="showcase_published_has_date",
                violation_error_message="A published page needs a publication date.",
            ),
        ),
        migrations.AddConstraint(
            model_name="showcasepage",
            constraint=models.CheckConstraint(
                condition=models.Q(("publication__in", ["draft", "submitted", "published"])),
                name="showcase_publication_known",
            ),
        ),
    ]
