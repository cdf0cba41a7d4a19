"""``assess()``: one appeal's text (plus optional caller and time) -> an explained Assessment.

Pure and fast: no database, models and gazetteer loaded once per process. The rule layer
(:mod:`hotline.triage.rules`) and the learned model (:mod:`hotline.triage.model`) are combined as
documented in docs/TRIAGE.md:

* urgency = the higher of the rule level and the model level, where the model raises to
  *critical* when P(critical) >= the critical threshold and to *urgent* when
  P(critical) + P(urgent) >= the urgent threshold (the model's ``operating_point``, else
  ``CRITICAL_THRESHOLD`` and ``URGENT_THRESHOLD``; chosen for recall: a missed emergency costs
  more than a false alarm); a rumour, hypothetical or "already over" cue found by the rules stops
  the model from raising;
* vulnerable = the rules' flags, plus a flag whose yes/no head (``vulnerable:elderly`` …) says
  yes with P >= that flag's threshold in the operating point (else the vulnerable threshold);
  the model adds flags, it never removes one;
* category = the rule's hint when a rule raised the urgency (fire -> safety, medicine -> medical),
  otherwise the model's;
* appeal type = the word the caller used (举报, 投诉, 表扬, 建议) if any, otherwise the model's;
  an urgent or critical appeal is a plea for help whatever the model says.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from hotline.triage.gazetteer import DEFAULT_CITY, Place, locate
from hotline.triage.model import TextModel, get_model, multi_label_heads
from hotline.triage.rules import URGENCY_ORDER, VULNERABLE, VULNERABLE_ZH, apply_rules

RULES_VERSION = "rules-8"
CRITICAL_THRESHOLD = 0.45
URGENT_THRESHOLD = 0.40
VULNERABLE_THRESHOLD = 0.50
EPIDEMIC_CATEGORIES = frozenset({"health_code", "testing", "control"})
CATEGORY_ZH = {
    "medical": "就医用药",
    "supplies": "生活物资",
    "health_code": "健康码/行程卡",
    "testing": "核酸检测",
    "control": "管控措施",
    "travel": "出行通行",
    "market": "市场价格",
    "living": "公用事业与物业",
    "study_work": "学业就业",
    "safety": "公共安全",
    "other": "其他",
}
TYPE_ZH = {
    "inquiry": "咨询",
    "help": "求助",
    "complaint": "投诉",
    "report": "举报",
    "suggestion": "建议",
    "praise": "表扬",
}
URGENCY_ZH = {"critical": "危急", "urgent": "紧急", "normal": "一般"}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The triage of one appeal; labels follow docs TAXONOMY.md. ``reasons`` are in Chinese."""

    appeal_type: str
    category: str
    urgency: str
    vulnerable: tuple[str, ...]
    epidemic_related: bool
    place: Place
    phones: tuple[str, ...]
    reasons: tuple[str, ...]
    model_version: str
    scores: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def urgency_reasons(self) -> tuple[str, ...]:
        """The reasons that set the urgency (a rule's "…→危急" or the model's "模型判断为危急…");
        empty for a normal appeal. The critical banner shows the first."""
        if self.urgency == "normal":
            return ()
        level = URGENCY_ZH[self.urgency]
        return tuple(
            r for r in self.reasons if r.endswith(f"→{level}") or r.startswith(f"模型判断为{level}")
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (place flattened to district/town/village names)."""
        data = asdict(self)
        data["vulnerable"] = list(self.vulnerable)
        data["phones"] = list(self.phones)
        data["reasons"] = list(self.reasons)
        data["place"] = {k: v for k, v in data["place"].items() if k != "reasons"}
        data["place"]["ambiguous"] = list(self.place.ambiguous)
        return data


def _caller_value(caller: Any, name: str) -> Any:
    if caller is None:
        return None
    if isinstance(caller, dict):
        return caller.get(name)
    return getattr(caller, name, None)


def assess(
    text: str,
    *,
    caller: Any = None,
    when: dt.datetime | None = None,
    city: str = DEFAULT_CITY,
    model: TextModel | None = None,
) -> Assessment:
    """Triage one appeal.

    ``caller`` (a dict or object) may carry ``district_code`` — it only breaks ties between places
    of the same name. ``when`` is accepted for the contract (time-aware rules may use it later;
    repeats are found by :class:`~hotline.triage.duplicates.DuplicateFinder`). ``model`` overrides
    the shipped model; without any model the rules and a fallback to ``other``/``inquiry`` apply.
    """
    text = text if isinstance(text, str) else ""
    findings = apply_rules(text)
    model = model or get_model()
    vec = model.vectorize(text) if model and text.strip() else None
    preds = model.predict_vector(vec) if vec is not None else {}
    place = locate(text, city=city, district_hint=_caller_value(caller, "district_code"))
    return _judge(text, findings, model, vec, preds, place)


#: Appeals per stage of :func:`assess_many`: enough for each stage's tables to stay warm, few
#: enough that the chunk's vectors (a text's model rows) stay small.
STAGE_CHUNK = 32


def assess_many(
    texts: Sequence[str],
    callers: Sequence[Any] | None = None,
    *,
    city: str = DEFAULT_CITY,
    model: TextModel | None = None,
) -> list[Assessment]:
    """``[assess(text, caller=caller, city=city, model=model) …]`` — the same Assessments, worked
    out stage by stage for :data:`STAGE_CHUNK` texts at a time (the rules of each, then each
    one's vector, predictions and place, then the judgement of each) rather than text by text:
    each stage's tables (automata, expressions, the model's vocabularies and weights) stay in
    the processor's caches across the chunk. Measured in-process on 3,000 distinct bench
    appeals: 134–139 µs each against 158–173 by assess() one after the other; the 8,496 texts
    of data/triage and the government messages 261–280 against 305–341 µs (load ~2). For
    batches (``orders.receive_batch``, the bulk import's triage helpers)."""
    model = model or get_model()
    callers = callers if callers is not None else [None] * len(texts)
    out: list[Assessment] = []
    for start in range(0, len(texts), STAGE_CHUNK):
        chunk = [t if isinstance(t, str) else "" for t in texts[start : start + STAGE_CHUNK]]
        hints = [_caller_value(c, "district_code") for c in callers[start : start + STAGE_CHUNK]]
        findings = [apply_rules(t) for t in chunk]
        vecs = [model.vectorize(t) if model and t.strip() else None for t in chunk]
        preds = [model.predict_vector(v) if v is not None else {} for v in vecs]
        places = [locate(t, city=city, district_hint=h) for t, h in zip(chunk, hints, strict=True)]
        out += map(_judge, chunk, findings, [model] * len(chunk), vecs, preds, places)
    return out


def _judge(text: str, findings, model, vec, preds: dict, place: Place) -> Assessment:
    """The Assessment from the rules' findings, the model's vector and predictions and the
    place (docs/TRIAGE.md: how rules and model combine)."""
    reasons = list(findings.reasons)
    scores: dict[str, float] = {}

    def because(head: str) -> str:
        words = "、".join(f"“{w}”" for w in model.evidence(vec, head, preds[head].label))
        return words or "整体表述"

    level = URGENCY_ORDER.index(findings.urgency)
    if "urgency" in preds and not findings.hearsay and not _resolved(findings):
        p = preds["urgency"].probabilities
        p_crit, p_urg = p.get("critical", 0.0), p.get("urgent", 0.0)
        scores.update(p_critical=round(p_crit, 3), p_urgent=round(p_urg, 3))
        point = model.operating_point
        model_level = (
            2
            if p_crit >= point.get("critical", CRITICAL_THRESHOLD)
            else 1
            if p_crit + p_urg >= point.get("urgent", URGENT_THRESHOLD)
            else 0
        )
        stop = _model_stop(findings) if model_level > level else None
        if stop:
            reasons.append(stop)
        elif model_level > level:
            level = model_level
            reasons.append(
                f"模型判断为{URGENCY_ZH[URGENCY_ORDER[level]]}，依据{because('urgency')}"
            )
    if level == 0 and findings.high_fever and "child" in findings.vulnerable:
        # TAXONOMY: a sick child with a high fever needs care now, whatever else is asked.
        level = 1
        reasons.append("儿童高烧→紧急（规则）")
    urgency = URGENCY_ORDER[level]

    vulnerable = set(findings.vulnerable)
    if findings.nuisance and urgency == "normal" and "child" in vulnerable:
        # TAXONOMY: a child disturbed by the noise or the smell is not the person the appeal
        # is about; the nuisance is.
        vulnerable.discard("child")
        reasons.append("噪音、垃圾等环境事项中提到的孩子不是诉求对象→不标记幼")
    if preds:
        bar = model.operating_point.get("vulnerable", VULNERABLE_THRESHOLD)
        for flag, head in multi_label_heads(model, "vulnerable").items():
            if flag in vulnerable or flag not in VULNERABLE:
                continue
            p_yes = preds[head].probabilities.get("yes", 0.0)
            if p_yes >= model.operating_point.get(head, bar):
                vulnerable.add(flag)
                reasons.append(f"弱势标记→{VULNERABLE_ZH[flag]}（模型，依据{because(head)}）")

    if findings.category_hint and findings.urgency != "normal":
        category = findings.category_hint
        reasons.append(f"类别→{CATEGORY_ZH.get(category, category)}（规则）")
    elif findings.hearsay and urgency == "normal":
        category = "control"
        reasons.append("传闻核实→管控措施（规则）")
    elif "category" in preds:
        category = preds["category"].label
        scores["p_category"] = round(preds["category"].probability, 3)
        reasons.append(
            f"类别→{CATEGORY_ZH.get(category, category)}（模型，依据{because('category')}）"
        )
    else:
        category = "other"

    if findings.type_hint:
        appeal_type = findings.type_hint
    elif "appeal_type" in preds:
        appeal_type = preds["appeal_type"].label
        reasons.append(
            f"类型→{TYPE_ZH.get(appeal_type, appeal_type)}（模型，依据{because('appeal_type')}）"
        )
        if appeal_type == "praise" and _PROBLEM.search(text):
            # "希望尽快修好，谢谢" is a polite complaint, not praise: the model's next reading.
            others = {k: v for k, v in preds["appeal_type"].probabilities.items() if k != "praise"}
            appeal_type = max(others, key=others.get) if others else "complaint"
            reasons.append(
                f"客气话中有待解决的问题→{TYPE_ZH.get(appeal_type, appeal_type)}（规则）"
            )
    else:
        appeal_type = "inquiry"
    if urgency != "normal" and appeal_type in ("inquiry", "suggestion", "praise"):
        appeal_type = "help"
        reasons.append(f"{URGENCY_ZH[urgency]}诉求按求助处理")
    if (
        urgency == "normal"
        and category != "other"
        and (appeal_type == "praise" or findings.hotline)
    ):
        # TAXONOMY: other covers praise; a complaint about the hotline itself is no matter of
        # any other field.
        category = "other"
        reasons.append("表扬或反映热线本身→其他（规则）")

    epidemic = bool(findings.epidemic_terms) or category in EPIDEMIC_CATEGORIES
    if findings.epidemic_terms:
        reasons.append("涉疫：" + "、".join(dict.fromkeys(findings.epidemic_terms)))
    reasons.extend(place.reasons)
    version = f"{RULES_VERSION}+{model.version}" if model else RULES_VERSION
    return Assessment(
        appeal_type=appeal_type,
        category=category,
        urgency=urgency,
        vulnerable=tuple(v for v in VULNERABLE if v in vulnerable),
        epidemic_related=epidemic,
        place=place,
        phones=tuple(findings.phones),
        reasons=tuple(dict.fromkeys(reasons)),
        model_version=version,
        scores=scores,
    )


#: Words that say something is still wrong: thanks around them is politeness, not praise.
_PROBLEM = re.compile(
    r"坏了|坏掉|没人(?:修|管|处理|清|来)|不管|一直没|还没|希望尽快|尽快|麻烦.{0,6}(?:修|处理|解决)"
)


def _model_stop(findings) -> str | None:
    """Why the model may not raise this appeal, if it may not (docs/TRIAGE.md, rules-3).

    A word of complaint, report, suggestion or praise, a complaint about the hotline itself and a
    matter of work or commuting: out of fold on the training set none of these appeals is urgent
    or critical, and the model's raises on them are false alarms. The rules still raise them.
    """
    if findings.type_hint in ("complaint", "report", "suggestion", "praise"):
        return "来电人明说投诉、举报、建议或表扬→模型不升级"
    if findings.hotline:
        return "反映热线本身→模型不升级"
    if findings.work:
        return "上班通勤事项→模型不升级"
    if findings.nuisance and not findings.vulnerable:
        return "垃圾、路灯、噪音等环境事项→模型不升级"
    return None


def _resolved(findings) -> bool:
    return (
        findings.hypothetical
        or findings.thanks
        or any("危险已解除" in r for r in findings.reasons)
        or any("假设句" in r for r in findings.reasons)
    )
