"""Synonym groups added to data/synonyms.txt after it was first seeded (0002 seeds a new
database from the file as it is; this brings an existing one up to date). A group the policy
team has since edited in admin is left as they made it; search rebuilds its index either way."""

import secrets

from django.db import migrations

EXTENDED = {
    "煤气，燃气，液化气，没气": "煤气，燃气，天然气，液化气，没气",
    "补贴，纾困，扶持，减免租金，房租，减租，开店，小店，个体户": (
        "补贴，补助，纾困，扶持，减免租金，房租，减租，开店，小店，个体户，做生意"
    ),
}
ADDED = (
    "核酸结果，核酸报告，检测结果，出结果",
    "发烧，发热，高烧",
    "上班，复工，返岗，开工",
    "辞退，开除，解雇，炒鱿鱼",
    "酒席，办酒，摆酒，喜酒，婚宴，婚礼",
    "丧事，白事，葬礼，出殡",
    "麻将，打牌，棋牌室，麻将馆",
    "私家车，自驾，开车",
    "谣言，传言，假消息，小道消息，辟谣",
)


def add(apps, schema_editor):
    SynonymGroup = apps.get_model("knowledge", "SynonymGroup")
    IndexStamp = apps.get_model("knowledge", "IndexStamp")
    for old, new in EXTENDED.items():
        SynonymGroup.objects.filter(terms=old).update(terms=new)
    for terms in ADDED:
        SynonymGroup.objects.get_or_create(terms=terms)
    IndexStamp.objects.update_or_create(pk=1, defaults={"version": secrets.randbits(62)})


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_store_search_tokens")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
