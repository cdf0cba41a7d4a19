"""TOTP keys sealed at rest (hotline.common.sealing): each stored key is sealed under the
current SECRET_KEY, then the plain column goes. Reversible: unsealing writes them back."""

from django.db import migrations, models


def seal_keys(apps, schema_editor):
    from hotline.common.sealing import seal

    TotpDevice = apps.get_model("accounts", "TotpDevice")
    for device in TotpDevice.objects.all():
        device.sealed_secret = seal(device.secret)
        device.save(update_fields=["sealed_secret"])


def unseal_keys(apps, schema_editor):
    from hotline.common.sealing import unseal

    TotpDevice = apps.get_model("accounts", "TotpDevice")
    for device in TotpDevice.objects.all():
        device.secret = unseal(device.sealed_secret)
        device.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_otp_reset"),
    ]

    operations = [
        migrations.AddField(
            model_name="totpdevice",
            name="sealed_secret",
            field=models.CharField(default="", max_length=255, verbose_name="密钥（加密保存）"),
            preserve_default=False,
        ),
        migrations.RunPython(seal_keys, unseal_keys),
        # a default, so that undoing the removal can rebuild the table before unseal_keys runs
        migrations.AlterField(
            model_name="totpdevice",
            name="secret",
            field=models.CharField(default="", max_length=64, verbose_name="密钥"),
        ),
        migrations.RemoveField(model_name="totpdevice", name="secret"),
    ]
