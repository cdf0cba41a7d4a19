"""The explainable rule layer: urgency, vulnerable people, epidemic terms, phones, type cues.

Lexicons are matched with one Aho-Corasick automaton. Each hit is then judged in its sentence:

* **negation** just before a term ("没有发烧", "不是着火") cancels it;
* **hearsay and hypotheticals** ("听说…", "网上说…", "如果…怎么办") cancel danger and need terms in
  that sentence: a rumour is a matter for the control category, not an emergency;
* **generic mentions in a question** ("请问老年人核酸点在哪") do not flag a vulnerable person: the
  flags describe the person the appeal is about, and a question about a group is not about one;
* **lowering cues** ("不严重", "已经送医院了") lower the urgency by one level.

Every decision leaves a reason in Chinese for the supervisor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ahocorasick

from hotline.triage.lexicon import (
    ANCHORS,
    BLOCKED,
    CRITICAL,
    CRITICAL_IF_VULNERABLE,
    EPIDEMIC,
    HEARSAY,
    HYPOTHETICAL,
    LOWER,
    MASKS,
    NEED,
    NEED_STRONG,
    QUESTION,
    RESOLVED,
    SICK_SIGNS,
    TREATMENT,
    TYPE_CUES,
    VULN_GENERIC,
    VULN_SPECIFIC,
)
from hotline.triage.tokenize import normalize

URGENCY_ORDER = ("normal", "urgent", "critical")
VULNERABLE = ("elderly", "child", "sick", "disabled", "pregnant")
VULNERABLE_ZH = {"elderly": "老", "child": "幼", "sick": "病", "disabled": "残", "pregnant": "孕"}

NEGATION = ("没有", "没", "不是", "不", "无", "未", "并非", "否")
TYPE_ZH = {"report": "举报", "complaint": "投诉", "praise": "表扬", "suggestion": "建议"}

_PHONE_RE = re.compile(
    r"(?<!\d)(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)|(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)"
)
_AGE_RE = re.compile(r"([0-9]{1,3}|[一二三四五六七八九十两]{1,3})(多|几)?(周)?岁")
_MONTHS_RE = re.compile(
    r"([0-9]{1,2}|[一二三四五六七八九十两]{1,3})(多)?个(多)?月(大|的宝宝|的孩子|的婴儿)"
)
# "药也快没了", "胰岛素用完了": a medicine running out, said in many word orders.
# Phrasings a word list cannot hold: a medicine running out ("药也快没了", "药已经吃完"), a person
# who cannot be woken ("怎么喊都不醒"), something poisonous swallowed ("把消毒液喝了").
_POISON = "消毒液|洗洁精|老鼠药|农药|漂白水|84|电池|安眠药|敌敌畏"
_STOP = "[^，。！？,.!?]"
_PATTERNS = (
    (
        re.compile(rf"(药|丸|胰岛素|氧气|喷雾){_STOP}{{0,4}}(快没了|没了|断了|吃完|用完|快完了)"),
        "out_of_medicine",
    ),
    (re.compile(rf"(叫|喊|摇|拍){_STOP}{{0,3}}不醒"), "critical"),
    (
        re.compile(
            rf"(喝|吃|吞|咽){_STOP}{{0,5}}({_POISON})|({_POISON}){_STOP}{{0,4}}(喝|吃|吞)了"
        ),
        "critical",
    ),
)
_AGE_YEAR_RE = re.compile(
    r"今年([0-9]{2}|[一二三四五六七八九]十[一二三四五六七八九]?)(?![0-9年月号])"
)
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]?")
_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


@dataclass(slots=True)
class RuleFindings:
    """What the rule layer found in one appeal."""

    urgency: str = "normal"
    vulnerable: set[str] = field(default_factory=set)
    epidemic_terms: list[str] = field(default_factory=list)
    category_hint: str | None = None
    type_hint: str | None = None
    hearsay: bool = False
    lowered: bool = False
    phones: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _build_automaton() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    entries: dict[str, list[tuple[str, str]]] = {}

    def add(terms, kind, value_of):
        for term in terms:
            entries.setdefault(normalize(term), []).append((kind, value_of(term)))

    add(CRITICAL, "critical", CRITICAL.get)
    add(NEED_STRONG, "need_strong", NEED_STRONG.get)
    add(NEED, "need", NEED.get)
    add(CRITICAL_IF_VULNERABLE, "critical_if_vulnerable", lambda t: "safety")
    add(TREATMENT, "treatment", lambda t: "medical")
    add(BLOCKED, "blocked", lambda t: "")
    add(LOWER, "lower", lambda t: "")
    add(RESOLVED, "resolved", lambda t: "")
    add(MASKS, "mask", lambda t: "")
    add(HEARSAY, "hearsay", lambda t: "")
    add(HYPOTHETICAL, "hypothetical", lambda t: "")
    add(VULN_SPECIFIC, "vuln", VULN_SPECIFIC.get)
    add(VULN_GENERIC, "vuln_generic", VULN_GENERIC.get)
    add(EPIDEMIC, "epidemic", lambda t: "")
    add(TYPE_CUES, "type", TYPE_CUES.get)
    for term, kinds in entries.items():
        auto.add_word(term, (term, tuple(kinds)))
    auto.make_automaton()
    return auto


_AUTOMATON = _build_automaton()


def _outermost(hits: list) -> list:
    """Drop hits lying inside a longer hit ("老年" inside "老年人")."""
    spans = [(s, s + len(t)) for s, t, _k in hits]
    return [
        h
        for h, (s, e) in zip(hits, spans, strict=True)
        if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2 in spans)
    ]


def _anchored(sentence: str, start: int) -> bool:
    """True when a person anchor (我家, 有个, 邻居 …) precedes ``start`` in the same clause."""
    clause_start = max(sentence.rfind(p, 0, start) for p in "，,、：:") + 1
    clause = sentence[clause_start:start]
    return any(a in clause for a in ANCHORS)


def _negated(sentence: str, start: int) -> bool:
    before = sentence[max(0, start - 3) : start]
    return any(before.endswith(neg) or neg in before[-2:] for neg in NEGATION)


def _cn_number(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    if raw == "十":
        return 10
    if "十" in raw:
        tens, _, ones = raw.partition("十")
        return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)
    return _CN_DIGITS.get(raw) if len(raw) == 1 else None


def find_phones(text: str) -> list[str]:
    """Mobile (11 digits) and landline (0xxx-xxxxxxx) numbers in ``text``, digits only."""
    out = []
    for m in _PHONE_RE.finditer(normalize(text)):
        out.append("".join(g for g in m.groups() if g))
    return list(dict.fromkeys(out))


def apply_rules(text: str) -> RuleFindings:
    """Run every rule family over ``text`` and return the findings with their reasons."""
    found = RuleFindings()
    norm = normalize(text)
    found.phones = find_phones(norm)
    is_question_text = any(q in norm for q in ("请问", "咨询", "?")) or norm.endswith(("吗", "呢"))
    has_anchor = any(a in norm for a in ANCHORS)
    suggestion = "建议" in norm
    level = 0
    resolved = False
    need_hits: list[tuple[str, str]] = []
    missing: list[str] = []
    for sentence_match in _SENTENCE_RE.finditer(norm):
        sentence = sentence_match.group(0)
        hits = _outermost(
            [(end - len(term) + 1, term, kinds) for end, (term, kinds) in _AUTOMATON.iter(sentence)]
        )
        kinds_here = {k for _s, _t, ks in hits for k, _v in ks}
        rumour = "hearsay" in kinds_here
        hypothetical = "hypothetical" in kinds_here
        question = is_question_text or any(q in sentence for q in QUESTION)
        if rumour:
            found.hearsay = True
        blocked = "blocked" in kinds_here
        for start, term, kinds in hits:
            for kind, value in kinds:
                if kind == "critical":
                    if _negated(sentence, start):
                        found.reasons.append(f"“{term}”前有否定，不作危急")
                    elif rumour or hypothetical:
                        why = "传闻" if rumour else "假设"
                        found.reasons.append(f"“{term}”出现在{why}句中，不作危急")
                    else:
                        if level < 2:
                            found.category_hint = value
                        level = 2
                        found.reasons.append(f"危及生命的表述“{term}”→危急")
                        if term in SICK_SIGNS:
                            found.vulnerable.add("sick")
                elif kind == "critical_if_vulnerable" and not (rumour or hypothetical):
                    if not _negated(sentence, start):
                        missing.append(term)
                elif kind in ("need_strong", "need") and not (rumour or hypothetical):
                    need_hits.append((term, value if kind == "need" else "strong:" + value))
                elif kind == "treatment" and blocked and not (rumour or hypothetical):
                    need_hits.append((term + "受阻", "strong:medical"))
                elif kind == "lower" and not _negated(sentence, start):
                    found.lowered = True
                    found.reasons.append(f"“{term}”→降低一级")
                elif kind == "resolved" and not _negated(sentence, start):
                    resolved = True
                    found.reasons.append(f"“{term}”→危险已解除，按一般处理")
                elif kind == "epidemic":
                    found.epidemic_terms.append(term)
                elif kind == "type" and found.type_hint is None and not _negated(sentence, start):
                    found.type_hint = value
                    found.reasons.append(f"来电人说“{term}”→{TYPE_ZH[value]}")
                elif kind == "vuln":
                    if (_negated(sentence, start) and value == "sick") or (
                        (rumour or hypothetical) and not has_anchor
                    ):
                        continue
                    if value not in found.vulnerable:
                        found.reasons.append(f"“{term}”→{VULNERABLE_ZH[value]}")
                    found.vulnerable.add(value)
                elif kind == "vuln_generic":
                    if not _anchored(sentence, start) and (
                        question or rumour or hypothetical or suggestion
                    ):
                        found.reasons.append(
                            f"“{term}”是泛指的提问，不标记为{VULNERABLE_ZH[value]}"
                        )
                    elif value not in found.vulnerable:
                        found.reasons.append(f"“{term}”→{VULNERABLE_ZH[value]}")
                        found.vulnerable.add(value)
    _ages(norm, found, is_question_text and not has_anchor)
    if not found.hearsay:
        for pattern, kind in _PATTERNS:
            m = pattern.search(norm)
            if m is None:
                continue
            if kind == "out_of_medicine":
                need_hits.append((m.group(0), "strong:medical"))
                if "sick" not in found.vulnerable:
                    found.vulnerable.add("sick")
                    found.reasons.append(f"“{m.group(0)}”→病（需长期用药）")
            elif level < 2:
                level = 2
                found.category_hint = "medical"
                found.reasons.append(f"危及生命的表述“{m.group(0)}”→危急")
    if missing and level < 2 and found.vulnerable & {"elderly", "child"}:
        level = 2
        found.category_hint = "safety"
        found.reasons.append(f"老人或儿童“{missing[0]}”→走失，危急")
    if need_hits and level < 2:
        strong = [t for t, v in need_hits if v.startswith("strong:")]
        if strong or found.vulnerable:
            level = 1
            term, value = (
                next((t, v) for t, v in need_hits if v.startswith("strong:"))
                if strong
                else need_hits[0]
            )
            found.category_hint = value.removeprefix("strong:")
            who = (
                ""
                if strong
                else "（" + "、".join(VULNERABLE_ZH[v] for v in sorted(found.vulnerable)) + "）"
            )
            found.reasons.append(f"基本需求未满足“{term}”{who}→紧急")
        else:
            found.reasons.append(f"有需求“{need_hits[0][0]}”但未见弱势人群→不升为紧急")
    if resolved:
        level = 0
    elif found.lowered and level > 0:
        level -= 1
    found.urgency = URGENCY_ORDER[level]
    return found


def _ages(norm: str, found: RuleFindings, generic_question: bool) -> None:
    for m in _AGE_RE.finditer(norm):
        age = _cn_number(m.group(1))
        if age is None or m.group(3):
            continue
        if m.group(2) and age < 10:
            age *= 10  # "八十多岁" is parsed as 八十; "七十几岁" likewise; "几岁" is a child
        flag = "elderly" if age >= 60 else "child" if age <= 14 else None
        if flag and not generic_question and flag not in found.vulnerable:
            found.vulnerable.add(flag)
            found.reasons.append(f"“{m.group(0)}”→{VULNERABLE_ZH[flag]}")
    for m in _AGE_YEAR_RE.finditer(norm):
        age = _cn_number(m.group(1))
        if age and age >= 60 and not generic_question and "elderly" not in found.vulnerable:
            found.vulnerable.add("elderly")
            found.reasons.append(f"“{m.group(0)}”→老")
    m = _MONTHS_RE.search(norm)
    if m and not generic_question and "child" not in found.vulnerable:
        if (
            "怀孕" in norm[max(0, m.start() - 4) : m.start()]
            or "孕" in norm[max(0, m.start() - 2) : m.start()]
        ):
            return
        found.vulnerable.add("child")
        found.reasons.append(f"“{m.group(0)}”→幼")
