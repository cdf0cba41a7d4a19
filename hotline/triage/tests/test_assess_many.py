"""assess_many() gives, stage by stage, the very Assessments assess() gives one by one."""

import json
from pathlib import Path

from hotline.triage.assess import STAGE_CHUNK, assess, assess_many

DATA = Path(__file__).resolve().parents[3] / "data" / "triage" / "fresh.jsonl"


def test_assess_many_equals_assess_on_each_text():
    texts = [json.loads(line)["text"] for line in DATA.read_text(encoding="utf-8").splitlines()]
    texts += [
        "",
        "   ",
        None,  # not a string: read as no text, as assess() does
        "茂南区公馆镇的老人降压药吃完了",  # a place, a need and a vulnerable person
        "听说高州要封城了，是真的吗",  # hearsay
        "我仔喘唔上气，嘴唇都紫了，九岁",  # Cantonese
    ]
    texts = texts * (1 + 2 * STAGE_CHUNK // len(texts))  # more than two chunks
    callers = [{"district_code": "440902"} if i % 3 == 0 else None for i in range(len(texts))]
    many = assess_many(texts, callers)
    one = [assess(t, caller=c) for t, c in zip(texts, callers, strict=True)]
    assert len(many) == len(texts)
    # to_dict() holds what == leaves out (the scores) and the place without its reasons
    assert [a.to_dict() for a in many] == [a.to_dict() for a in one]
    assert [(a.reasons, a.place.reasons) for a in many] == [
        (a.reasons, a.place.reasons) for a in one
    ]
