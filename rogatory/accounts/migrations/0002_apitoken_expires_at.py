"""API tokens expire. Tokens made before now get the default lifetime from today.

Giving them no expiry would leave the oldest, least watched tokens valid for ever; a lifetime
from today lets the programs that use them go on working meanwhile, and their owners see the
date on their account page.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def _expiry_give(apps, schema_editor) -> None:
    token_model = apps.get_model("accounts", "ApiToken")
    expires_at = timezone.now() + timedelta(days=settings.ROGATORY_TOKEN_DAYS)
    token_model.objects.filter(expires_at__isnull=True).update(expires_at=expires_at)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.RunPython(_expiry_give, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
