import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def publish_public_cases(apps, schema_editor):
    """Cases already public were published before the workflow existed: say so, dated by
    their last change, so the new constraint holds."""
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(is_public=True).update(
        publication="published", published_at=F("updated_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_case_import_batch"),
        ("exchange", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="case",
            options={
                "ordering": ["-start_date", "-pk"],
                "permissions": [("publish_case", "Can publish and unpublish cases")],
                "verbose_name": "case",
                "verbose_name_plural": "cases",
            },
        ),
        migrations.AddField(
            model_name="case",
            name="publication",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted for review"),
                    ("published", "Published"),
                ],
                default="draft",
                editable=False,
                help_text="Consulate editors submit a case for review; HQ editors publish it.",
                max_length=10,
                verbose_name="publication",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="published_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="published at"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="published by",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="submitted_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="submitted at"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="submitted by",
            ),
        ),
        migrations.RunPython(publish_public_cases, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("is_public", False), ("publication", "published"), _connector="OR"
                ),
                name="case_public_is_published",
                violation_error_message="A public case must be published.",
            ),
        ),
    ]
