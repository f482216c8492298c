"""Cities in English and Japanese: the cases', the regions' (mission city) and the offices'.

The city column becomes `city_en`; `city_ja` is new. The reference cities of the regions and
offices get their Japanese form here; a case's Japanese city is entered by staff (a public case
without one is flagged to them) and the demonstration data carries both.
"""

from django.db import migrations, models

REFERENCE_CITIES_JA = {
    "Washington, D.C.": "ワシントンD.C.",
    "New York": "ニューヨーク",
    "Boston": "ボストン",
    "Chicago": "シカゴ",
    "Detroit": "デトロイト",
    "Atlanta": "アトランタ",
    "Nashville": "ナッシュビル",
    "Miami": "マイアミ",
    "Houston": "ヒューストン",
    "Denver": "デンバー",
    "Seattle": "シアトル",
    "San Francisco": "サンフランシスコ",
    "Los Angeles": "ロサンゼルス",
    "Honolulu": "ホノルル",
    "Hagåtña": "ハガッニャ",
    "Portland": "ポートランド",
    "Anchorage": "アンカレジ",
    "Saipan": "サイパン",
}


def fill_reference_cities(apps, schema_editor):
    for name in ("Region", "Office"):
        model = apps.get_model("cases", name)
        for english, japanese in REFERENCE_CITIES_JA.items():
            model.objects.filter(city_en=english, city_ja="").update(city_ja=japanese)
    Case = apps.get_model("cases", "Case")
    for english, japanese in REFERENCE_CITIES_JA.items():
        Case.objects.filter(city_en=english, city_ja="").update(city_ja=japanese)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_tallies_from_dashboard"),
    ]

    operations = [
        migrations.RenameField(model_name="case", old_name="city", new_name="city_en"),
        migrations.AlterField(
            model_name="case",
            name="city_en",
            field=models.CharField(blank=True, max_length=100, verbose_name="city (English)"),
        ),
        migrations.AddField(
            model_name="case",
            name="city_ja",
            field=models.CharField(
                blank=True,
                help_text="The form a Japanese newspaper prints, e.g. マイアミ, パロアルト.",
                max_length=100,
                verbose_name="city (Japanese)",
            ),
        ),
        migrations.RenameField(model_name="region", old_name="city", new_name="city_en"),
        migrations.AlterField(
            model_name="region",
            name="city_en",
            field=models.CharField(max_length=100, verbose_name="mission city (English)"),
        ),
        migrations.AddField(
            model_name="region",
            name="city_ja",
            field=models.CharField(
                default="", max_length=100, verbose_name="mission city (Japanese)"
            ),
            preserve_default=False,
        ),
        migrations.RenameField(model_name="office", old_name="city", new_name="city_en"),
        migrations.AlterField(
            model_name="office",
            name="city_en",
            field=models.CharField(max_length=100, verbose_name="city (English)"),
        ),
        migrations.AddField(
            model_name="office",
            name="city_ja",
            field=models.CharField(default="", max_length=100, verbose_name="city (Japanese)"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_reference_cities, migrations.RunPython.noop),
    ]
