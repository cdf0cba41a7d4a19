"""The linear model: train, save/load round trip, multi-head, evidence, assess() combination."""

import json

import pytest

from hotline.triage import Assessment, assess
from hotline.triage.assess import RULES_VERSION
from hotline.triage.model import (
    TextModel,
    _char_features,
    _word_features,
    get_model,
    multi_label_heads,
    record_text,
    train,
    train_records,
)
from hotline.triage.rules import VULNERABLE
from training.triage_dataset import DATA_DIR, HELDOUT_EVERY, build

TEXTS = [
    "健康码变黄了怎么办",
    "健康码弹窗了",
    "行程卡带星",
    "健康码一直是红码",
    "核酸点在哪里",
    "核酸结果查不到",
    "混管阳性怎么回事",
    "今天还做核酸吗",
    "家里没菜了",
    "团购的菜没送到",
    "奶粉买不到",
    "封控了没米了",
]
CATS = ["health_code"] * 4 + ["testing"] * 4 + ["supplies"] * 4


@pytest.fixture(scope="module")
def tiny():
    types = ["inquiry", "help"] * 6
    return train(TEXTS, {"category": CATS, "appeal_type": types}, version="tiny", char_min_df=1)


def test_tiny_model_learns_and_explains(tiny):
    pred = tiny.predict("我的健康码变黄了")["category"]
    assert pred.label == "health_code"
    assert pred.evidence and abs(sum(pred.probabilities.values()) - 1) < 1e-9
    assert set(tiny.heads) == {"category", "appeal_type"}


def test_save_load_round_trip(tiny, tmp_path):
    path = tmp_path / "m.npz"
    tiny.save(path)
    loaded = TextModel.load(path)
    text = "核酸结果什么时候出"
    assert loaded.predict(text)["category"].label == tiny.predict(text)["category"].label
    assert loaded.version == "tiny"


def test_word_weight_is_folded_into_the_compiled_weights():
    """Inference on the compiled model equals the SVM fitted on the re-weighted training matrix."""
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    model = train(TEXTS, {"category": CATS}, char_min_df=1, word_weight={"category": 0.3})
    words = TfidfVectorizer(analyzer=_word_features, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer=_char_features, sublinear_tf=True, min_df=1)
    matrix = hstack([words.fit_transform(TEXTS) * 0.3, chars.fit_transform(TEXTS)]).tocsr()
    clf = LinearSVC(C=0.5, class_weight="balanced").fit(matrix, CATS)
    probe = ["健康码黄了，核酸也查不到", "团购的菜什么时候到"]
    expected = clf.decision_function(
        hstack([words.transform(probe) * 0.3, chars.transform(probe)]).tocsr()
    )
    got = np.array([model.vectorize(t).scores for t in probe])
    assert np.allclose(got, expected, atol=1e-3)  # liblinear shuffles: not bit-identical
    # Heads not named keep the word view at full weight.
    plain = train(TEXTS, {"category": CATS}, char_min_df=1, word_weight={})
    assert not np.allclose(plain.weights, model.weights)


def test_dataset_is_deterministic_and_holds_out_whole_templates():
    train_rows, heldout_rows = build()
    assert (train_rows, heldout_rows) == build()
    train_templates = {r["template"] for r in train_rows}
    heldout_templates = {r["template"] for r in heldout_rows}
    assert not train_templates & heldout_templates
    # Roughly one template in HELDOUT_EVERY of each category is held out.
    assert len(heldout_templates) * (HELDOUT_EVERY + 1) > len(train_templates)
    # The shipped files are what the generator writes (rebuild with python -m …dataset).
    for name, rows in (("train.jsonl", train_rows), ("heldout.jsonl", heldout_rows)):
        with open(DATA_DIR / name, encoding="utf-8") as fh:
            assert [json.loads(line) for line in fh if line.strip()] == rows


def test_single_class_head_is_rejected():
    with pytest.raises(ValueError):
        train(["a", "b"], {"category": ["x", "x"]})


def test_records_and_text_fields():
    record = {"title": "标题", "text": "正文"}
    assert record_text(record, ["title", "text"]) == "标题。标题。正文"
    assert record_text({"text": "正文"}, ["title", "text"]) == "正文"
    model = train_records(
        [{"text": t, "label": c} for t, c in zip(TEXTS, CATS, strict=True)] + [{"text": "x"}],
        ["text"],
        ["label"],
        char_min_df=1,
    )
    assert model.meta["n_train"] == len(TEXTS)


def test_shipped_model_is_cached_and_has_all_heads():
    model = get_model()
    assert model is get_model()
    assert {"category", "appeal_type", "urgency"} <= set(model.heads)
    assert set(multi_label_heads(model, "vulnerable")) == set(VULNERABLE)
    assert {"critical", "urgent", "vulnerable"} <= set(model.operating_point)
    assert set(model.operating_point) - {"critical", "urgent", "vulnerable"} <= {
        f"vulnerable:{flag}" for flag in VULNERABLE
    }


def test_shipped_model_is_trained_on_the_files_it_names():
    """Retrain with the command in docs/TRIAGE.md; this catches a file added but not trained on."""
    from training.triage_dataset import SHIPPED_TRAINING

    count = 0
    for name in SHIPPED_TRAINING:
        with open(DATA_DIR / name, encoding="utf-8") as fh:
            count += sum(1 for line in fh if line.strip())
    assert get_model().meta["n_train"] == count


def test_assess_contract():
    a = assess("我奶奶八十多岁，住在公馆镇，降压药吃完了，封控出不去，电话13812345678")
    assert isinstance(a, Assessment)
    assert (a.urgency, a.category, a.appeal_type) == ("urgent", "medical", "help")
    assert a.vulnerable == ("elderly", "sick")
    assert a.epidemic_related and a.place.town == "公馆镇" and a.phones == ("13812345678",)
    assert a.reasons and a.model_version.startswith(f"{RULES_VERSION}+")
    json.dumps(a.to_dict(), ensure_ascii=False)


def test_assess_hard_negative_and_bad_input():
    a = assess("请问老年人核酸点在哪")
    assert (a.urgency, a.appeal_type, a.vulnerable) == ("normal", "inquiry", ())
    assert assess("").urgency == "normal"
    assert assess(None).category  # type: ignore[arg-type]


def test_assess_critical_is_help_even_when_phrased_as_question():
    a = assess("我爸胸口痛喘不上气，能不能派车？")
    assert a.urgency == "critical" and a.appeal_type == "help" and a.category == "medical"


def test_assess_uses_the_model_operating_point():
    """The thresholds travel with the model: the same scores raise or not by its point."""
    texts = ["家里老人药快吃完了", "我妈降压药没有了", "核酸点在哪里", "今天几点做核酸"] * 3
    urgency = ["urgent", "urgent", "normal", "normal"] * 3
    text = "外婆的药快没了"
    low = train(texts, {"urgency": urgency}, char_min_df=1, operating_point={"urgent": 0.01})
    high = train(texts, {"urgency": urgency}, char_min_df=1, operating_point={"urgent": 0.999})
    assert low.operating_point == {"urgent": 0.01}
    assert assess(text, model=low).urgency != "normal"
    assert assess(text, model=high).urgency == assess(text, model=None).urgency


def test_a_flag_threshold_overrides_the_vulnerable_threshold():
    texts = ["我奶奶药吃完了", "外公没饭吃", "核酸点在哪里", "今天几点做核酸"] * 3
    flags = [["elderly"], ["elderly"], [], []] * 3
    records = [{"text": t, "vulnerable": f} for t, f in zip(texts, flags, strict=True)]
    text = "陈姨家里没饭吃了"  # no word the rules know as old
    low = train_records(records, ["text"], ["vulnerable"], char_min_df=1)
    low.operating_point = {"vulnerable": 0.99, "vulnerable:elderly": 0.01}
    high = train_records(records, ["text"], ["vulnerable"], char_min_df=1)
    high.operating_point = {"vulnerable": 0.01, "vulnerable:elderly": 0.999}
    assert "elderly" not in assess(text, model=None).vulnerable
    assert "elderly" in assess(text, model=low).vulnerable
    assert "elderly" not in assess(text, model=high).vulnerable


def test_urgency_reasons_are_the_ones_that_set_the_level():
    assert assess("我奶奶八十多岁，降压药吃完了").urgency_reasons == (
        "基本需求未满足“药吃完”→紧急",
    )
    assert assess("楼下着火了").urgency_reasons == ("危及生命的表述“着火”→危急",)
    assert assess("请问核酸点在哪").urgency_reasons == ()
