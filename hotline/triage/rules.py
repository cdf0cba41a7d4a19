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
    ACUTE,
    ANCHORS,
    BLOCKED,
    CHILD_KIN,
    CHRONIC,
    CRITICAL,
    CRITICAL_IF_VULNERABLE,
    EPIDEMIC,
    FEVER_OVER_RE,
    GRATITUDE,
    GROWN,
    HABITUAL,
    HEARSAY,
    HEARSAY_LEAD,
    HIGH_FEVER_RE,
    HYPOTHETICAL,
    LOCKDOWN,
    LOWER,
    MASKS,
    MINOR_MEDS,
    NEED,
    NEED_STRONG,
    NUISANCE,
    PAST,
    PETS,
    QUESTION,
    RESOLVED,
    RETROSPECT,
    RISK,
    SICK_SIGNS,
    SIGN,
    SIGN_EVENT,
    SIGN_MINOR,
    TRAPPED,
    TREATMENT,
    TYPE_CUES,
    VULN_ALSO,
    VULN_GENERIC,
    VULN_SPECIFIC,
    WORK,
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
# Phrasings a word list cannot hold, judged per sentence like the lexicon hits (negation just
# before the match, hearsay and hypotheticals cancel them). Kinds: "critical" (value = category
# hint), "critical_if_vulnerable", "need" / "strong" (value = category), "out_of_medicine".
_POISON = (
    "消毒液|消毒水|洗洁精|洁厕灵|洗衣液|老鼠药|农药|百草枯|敌敌畏|除草剂|杀虫剂|漂白水|84|"
    "电池|磁铁|干燥剂|水银|汽油|毒蘑菇|野蘑菇"
)
# Small objects a child swallows ("把一颗纽扣电池吞下去了", "硬币吞了").
_OBJECTS = "纽扣|硬币|磁珠|珠子|弹珠|钉子|图钉|别针|螺丝|耳环|戒指|发夹|刀片|零件|玻璃"
# Regular medicines named without 药 ("胰岛素没有了", "华法林只剩两天").
_MEDS = (
    "胰岛素|华法林|二甲双胍|优甲乐|硝酸甘油|阿司匹林|氯吡格雷|波立维|他克莫司|恩替卡韦|"
    "替诺福韦|沙丁胺醇|激素|喷剂|吸入剂|气雾剂"
)
_STOP = "[^，。！？,.!?；;]"
_PATTERNS = (
    # a medicine running out, in any word order ("药也快没了", "药只剩两天的了")
    (
        re.compile(
            rf"((?<!农)药(?![店房])|丸|{_MEDS}|氧气|喷雾|针剂){_STOP}{{0,6}}"
            r"(快没了|没了|没有了|断了|吃完|用完|用光|吃光|快完了|只剩|就剩|只够|不够吃|不够用|没货|"
            r"见底)"
            rf"|针{_STOP}{{0,3}}(还没打|没得打|打不了|断了)"
            rf"|(只剩|就剩|只够|还剩)(下)?{_STOP}{{0,5}}的?((?<!农)药(?![店房])|{_MEDS})"
        ),
        "out_of_medicine",
        "medical",
    ),
    # infant food and nappies running out: the baby is the vulnerable person
    (
        re.compile(
            rf"(奶粉|尿不湿|纸尿裤|尿片|米粉){_STOP}{{0,6}}"
            r"(快没了|没了|没有了|吃完|喝完|用完|见底|不够|只剩|就剩|只够)"
        ),
        "strong",
        "supplies",
    ),
    # food running out ("米和菜都见底了", "只剩两顿", "吃的都吃完了")
    (
        re.compile(
            rf"(吃的|米|菜|粮|食物|口粮|存粮|面条|饭){_STOP}{{0,5}}"
            r"(快没了|快没有了|没了|没有了|吃完|吃光|见底|不够吃|不多了|剩不多|空了)"
            rf"|(只剩|就剩|只够|还剩){_STOP}{{0,4}}(顿|餐|包米|斤米|点米|把米|天的)(?!药|{_MEDS})"
            r"|(只剩|就剩)(一把|一点|半包|一包|几个|一袋|几根|半袋)(米|面条|面|菜|番薯|吃的)"
            rf"|[0-9一二三两四五六七八九十几]+天{_STOP}{{0,6}}没{_STOP}{{0,4}}"
            r"(买过?菜|买过?吃的|吃过?饭|吃过?东西|开过?火|做过?饭)"
        ),
        "need",
        "supplies",
    ),
    # nobody brings food or care to someone
    (
        re.compile(rf"没人{_STOP}{{0,4}}(送饭|送吃的|做饭|照顾|照看|看她|看他|管)"),
        "need",
        "supplies",
    ),
    # care blocked: a vulnerable person who wants a doctor and may not leave
    (
        re.compile(
            r"(医院|看病|看医生|就医|急诊)[^。！？；;]{0,8}(不给出|不让出|出不去|不放行|不给走)"
            rf"|(不给出|不让出|出不去){_STOP}{{0,4}}(看病|看医生|就医|去医院)"
            r"|(医院|急诊|门诊|诊所|卫生院)[^。！？；;]{0,8}"
            r"(不给进|不让进|进不去|不收|拒收|不接诊|不给看|不肯看|不给挂号|挂不了号|"
            r"要先做核酸|要等核酸结果|等结果才)(?![^。！？；;]{0,4}(探|陪))"
        ),
        "need",
        "medical",
    ),
    # a person who cannot be woken or does not respond
    (
        re.compile(
            rf"(叫|喊|摇|拍){_STOP}{{0,4}}"
            r"(不醒|不太醒|不怎么醒|醒不过来|没反应|没有反应|没动静|不应)"
        ),
        "critical",
        "medical",
    ),
    # heart: chest or heart hurting badly ("心脏好痛", "胸口痛得厉害")
    (
        re.compile(r"(胸口|心口|心脏|胸部)(好|很|特别|非常|剧烈|一阵阵|突然)?(地)?(痛|疼|绞痛)"),
        "critical",
        "medical:sick",
    ),
    # breathing: lips or face turning blue, breath hard to draw
    (
        re.compile(r"(嘴唇|嘴巴|脸|脸色|手指|指甲)(都|已经|有点|发)?(紫|青紫|发紫|发乌|乌紫)"),
        "critical",
        "medical:sick",
    ),
    (
        re.compile(r"(喘气|呼吸|透气|抖气|唞气)(好|很|非常|特别|越来越)?(辛苦|困难|费劲|急|难受)"),
        "sign",
        "medical",
    ),
    # a bad headache ("头好痛"): a sign, critical with an acute cue or a second sign
    (re.compile(r"头(好|很|非常|特别|剧烈)(痛|疼)|头痛得厉害"), "sign", "medical"),
    # heavy bleeding ("血一直流止不住", "流了一地的血")
    (
        re.compile(
            rf"血{_STOP}{{0,3}}(止不住|不停|一直流|流不停|哗哗|一直喷|喷出来|狂喷|直喷|一直涌|涌出来|按不住)"
            r"|(流|出)了?(好多|很多|一大摊|一地|大量|一大堆|满地)的?血"
            r"|(满头|满脸|满身|一身|一头|全身|头上|满地|一地)(是|都是)血"
        ),
        "critical",
        "medical:sick",
    ),
    # a fever with fits ("烧到41度，在抽")
    (
        re.compile(r"(烧|发烧|高烧|发热)[^。！？]{0,10}(抽|翻白眼)(?!烟|奖|签|血|查|样|空)"),
        "critical",
        "medical:sick",
    ),
    # threats to kill ("要掐死我", "说要砍死他")
    (
        re.compile(r"(掐|打|砍|捅|杀|弄|勒|毒|烧)死(我|人|他|她|你|我们|全家|孩子|老婆|老公)"),
        "critical",
        "safety",
    ),
    # something poisonous swallowed, or a whole bottle of pills
    (
        re.compile(
            rf"(喝|吃|吞|咽|食|误服){_STOP}{{0,5}}({_POISON}|{_OBJECTS})"
            rf"|({_POISON}|{_OBJECTS}){_STOP}{{0,4}}(喝|吃|吞|咽)(下去|进去|下|进|落肚)?了"
            r"|(吃|吞|服|喝)了?(一整?瓶|大半瓶|半瓶|一大?把|好多|很多|一大堆|一整?板|一整?盒|"
            r"大量|几十[片粒颗])的?[^，。！？]{0,5}(药|片|丸)"
            r"|(一整?瓶|整瓶|一整?板|一整?盒|整盒|一大把)[^，。！？]{0,6}(药|片|丸)[^，。！？]{0,3}"
            r"(吃|吞|喝)(了|完)"
        ),
        "critical",
        "medical",
    ),
    # fallen or collapsed somewhere ("倒在厕所里"), not rubbish or a tree
    (
        re.compile(
            r"(?<![圾西水油车树杆墙])倒在(地上|地下|厕所|浴室|卫生间|洗手间|路边|路上|楼梯|床边|"
            r"床下|门口|沙发|田里|家里)"
        ),
        "critical",
        "medical:sick",
    ),
    # violence: chased with a blade, a weapon in hand
    (
        re.compile(
            rf"追着{_STOP}{{0,3}}(砍|打|捅|杀)|(拿|拎|提|举|揸|抄)(着|起|住)?(一把|把)?"
            r"(菜刀|斧头|锄头|铁棍|木棍|棍子|砖头|刀子|水果刀|剪刀|铁锹|刀)"
        ),
        "critical",
        "safety",
    ),
    # labour ("羊水已经破了")
    (re.compile(rf"羊水{_STOP}{{0,3}}破"), "critical", "medical"),
    # stroke: one side of the body weak or numb ("半边身子没力", "左手左脚不听使唤")
    (
        re.compile(
            r"(半边|一边|半身|左边|右边|左手左脚|右手右脚)(身子|身体|身|手脚|手|脚|脸)?"
            rf"{_STOP}{{0,3}}(动不了|不能动|没力|没知觉|发麻|麻了|不听使唤)"
        ),
        "sign",
        "medical",
    ),
    # suicide phrasings ("看样子想往下跳", "说要跳河")
    (
        re.compile(
            r"(想|要|准备|打算|扬言|作势|闹着)(往下|从楼上|从桥上)?跳(楼|河|江|海|桥|下去|下来|水|湖|塘)"
        ),
        "critical",
        "safety",
    ),
    # someone at a height or an edge ("爬到窗户外面的空调架上")
    (
        re.compile(
            rf"(爬|站|坐|蹲|挂|吊)(到|在|上|出|着)?{_STOP}{{0,6}}"
            r"(窗外|窗户外|窗台|空调架|空调外机|阳台外|护栏外|栏杆外|围栏外|楼顶边|天台边|屋顶边|"
            r"桥栏|桥边)"
        ),
        "critical",
        "safety",
    ),
    # drowning ("掉进村口的水塘里", "跌落河")
    (
        re.compile(
            rf"(掉|跌|落|摔|滑)(进|入|落|到|下){_STOP}{{0,5}}"
            r"(河|江|海|塘|水库|水池|泳池|井|水沟|粪池|水里)"
        ),
        "critical",
        "safety",
    ),
    # trapped or pinned people ("下面压着两个工人", "里面的人卡着出不来")
    (
        re.compile(
            rf"(压|埋)(着|住|在)了?{_STOP}{{0,4}}(人|工人|下面|里面)|压到了?(人|工人)"
            rf"|(卡|夹)(着|住|在){_STOP}{{0,4}}(人|动不了)"
        ),
        "critical",
        "safety",
    ),
    # gas escaping or smelt ("煤气管子好像裂了", "一股煤气味")
    (
        re.compile(
            rf"(煤气|燃气|天然气|液化气)(罐|管|管子|管道|瓶|阀)?{_STOP}{{0,4}}(漏|泄|裂|破|嘶嘶|味)"
        ),
        "critical",
        "safety",
    ),
    # a fall from a floor or a height ("从三楼掉下来", "从楼顶摔下去")
    (
        re.compile(
            r"从[^，。！？]{0,4}([0-9一二三四五六七八九十几]+楼|楼上|楼顶|阳台|窗户|窗口|屋顶|高处|"
            r"脚手架|天台)[^，。！？]{0,3}(掉|摔|跌|坠|跳)"
        ),
        "critical",
        "safety",
    ),
    # hit by a vehicle ("被货车撞了"), not a barrier knocked askew
    (
        re.compile(r"被[^，。！？]{0,3}车(子)?(撞|压|碾|撞倒|撞飞)(了|倒|伤|飞|到)"),
        "critical",
        "safety",
    ),
    # someone shut in a stopped lift ("电梯卡在七楼同八楼中间，里面有个阿伯，困了半个钟")
    (
        re.compile(
            r"电梯[^。！？；;]{0,12}(困了|困住|困着|里面有人|里面有个|里面一个|关着人|关了)"
        ),
        "critical",
        "safety",
    ),
    # a lift falling ("电梯突然掉下去了")
    (re.compile(rf"电梯{_STOP}{{0,4}}(掉下|坠落|下坠|失控|冲顶|往下掉)"), "critical", "safety"),
    # no breath ("没气了"), not a gas bottle or a tyre
    (
        re.compile(r"(?<![罐瓶胎球气表机调箱器])(没气了|没气|没了呼吸|不会呼吸了)"),
        "critical",
        "medical:sick",
    ),
    # threats of fire ("拿着汽油说要烧房子")
    (
        re.compile(
            r"(扬言|威胁|说要|要)(放火)?(烧|炸)(房子|屋|楼|他家|她家|我家|你家|死|掉他|掉她)"
            r"|(拿着|泼|淋|浇)(了)?汽油"
        ),
        "critical",
        "safety",
    ),
    # a child locked in a room or at home alone
    (
        re.compile(rf"(锁|关|反锁)(在)?{_STOP}{{0,3}}(家里|屋里|房间|房里|屋内)"),
        "critical_if_child",
        "safety",
    ),
    # dialysis said the colloquial way and blocked ("一个星期洗三次肾…小区不让出")
    (
        re.compile(
            r"洗[一二两三四五六七八九几0-9]*次?肾[^。！？；;]{0,24}"
            r"(不让出|不给出|出不去|不放行|不给过|不让过|进不去|被拦|封了)"
        ),
        "strong",
        "medical",
    ),
    # a locked car: critical when a child, old or disabled person is inside
    (
        re.compile(rf"(锁|关|困|反锁)(在)?{_STOP}{{0,3}}车(里|内|上)"),
        "critical_if_vulnerable",
        "safety",
    ),
)
# "我爸妈都七十多了", "老人八十几，", "快九十的人了": an old age said without 岁.
# For speed, a pattern is only tried on a sentence holding one of its key characters (one per
# pattern above, in order: each pattern needs at least one of them to match).
_PATTERN_KEYS = (
    "药丸胰氧喷针华二优硝阿氯波他恩替沙激",
    "奶尿米",
    "吃米菜粮食面饭剩够天",
    "没",
    "出行走进收诊看挂",
    "醒应静",
    "胸心",
    "紫乌",
    "喘吸气",
    "头",
    "血",
    "抽翻",
    "死",
    "吃吞服喝食咽",
    "倒",
    "追刀斧锄棍砖锹剪",
    "羊",
    "边半左右",
    "跳",
    "窗调台栏边",
    "河江海塘库池井沟粪水",
    "压埋卡夹",
    "气",
    "楼顶台窗户处架",
    "车",
    "梯",
    "梯",
    "气吸",
    "烧炸油",
    "锁关",
    "肾",
    "车",
)
assert len(_PATTERN_KEYS) == len(_PATTERNS)
_KEYED_PATTERNS = tuple(
    (frozenset(keys), *entry) for keys, entry in zip(_PATTERN_KEYS, _PATTERNS, strict=True)
)
# key character → one bit per pattern it keys: a sentence's patterns are found from the few key
# characters it holds, instead of testing the 32 key sets against it (_sentence_patterns 5.1 →
# 3.6 µs for the bench's first sentence).
_PATTERN_BITS: dict[str, int] = {}
for _bit, _keys in enumerate(_PATTERN_KEYS):
    for _c in _keys:
        _PATTERN_BITS[_c] = _PATTERN_BITS.get(_c, 0) | 1 << _bit
_PATTERN_KEY_CHARS = frozenset(_PATTERN_BITS)
del _bit, _keys, _c


def _keyed_patterns(text: str):
    """The entries of ``_KEYED_PATTERNS`` holding a key character of ``text``, in order."""
    mask = 0
    for c in _PATTERN_KEY_CHARS.intersection(text):
        mask |= _PATTERN_BITS[c]
    while mask:
        low = mask & -mask
        mask ^= low
        yield _KEYED_PATTERNS[low.bit_length() - 1]


# "家里没气了，做不了饭": the gas supply, not a breath.
_GAS_SUPPLY = ("燃气", "煤气", "天然气", "液化气", "充值", "饭", "煮", "炒菜", "热水", "气费")
_AGE_BARE_RE = re.compile(
    r"(?<![0-9一二三四五六七八九十两百千万第])([六七八九]十[一二三四五六七八九]?|[6-9][0-9])"
    r"(多|几|来|好几)?(?=了|的人|的老|高龄|[，,。！!；;\s]|$)"
)
_AGE_PERSON = "爸妈父母爷奶婆公伯叔姑舅姨老人他她亲两老年纪岁数今年"
# "女儿读三年级": a primary-school pupil is a child.
_GRADE_RE = re.compile(r"(读|上|念|在读)(小学)?[一二三四五六1-6]年级")
_AGE_YEAR_RE = re.compile(
    r"今年([0-9]{2}|[一二三四五六七八九]十[一二三四五六七八九]?)(?![0-9年月号])"
)
# A complaint about the hotline itself ("你们热线怎么一直打不通"), not 120 or a clinic.
_HIGH_FEVER = re.compile(HIGH_FEVER_RE)
_FEVER_OVER = re.compile(FEVER_OVER_RE)
_HOTLINE_RE = re.compile(
    r"(热线|12345|你们(这个|的)?电话|市长电话|你们这里)[^。！？；;]{0,8}"
    r"(打不通|打不进|占线|难打|没人接|一直忙|接不通|老是忙)"
)


#: ``any(w in text for w in WORDS)`` as one search: the regular expression engine skips to the
#: first characters of the words (0.2 against 0.5 µs on the bench's appeal, per list).
def _any_of(words) -> re.Pattern:
    return re.compile("|".join(map(re.escape, words)))


_QUESTION_RE = _any_of(QUESTION)
_ANCHORS_RE = _any_of(ANCHORS)
_WORK_RE = _any_of(WORK)
_NUISANCE_RE = _any_of(NUISANCE)
_GRATITUDE_RE = _any_of(GRATITUDE)
_RETROSPECT_RE = _any_of(RETROSPECT)
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
    hypothetical: bool = False  # a danger or need named only in a hypothetical sentence
    thanks: bool = False  # thanks or praise for a matter already over
    hotline: bool = False  # a complaint about the hotline itself (打不通, 占线)
    work: bool = False  # a matter of work or commuting (上班, 复工, 扣工资)
    nuisance: bool = False  # a neighbourhood nuisance (垃圾, 路灯, 噪音)
    high_fever: bool = False  # a fever of 38 °C and more, or 高烧
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
    add(SIGN, "sign", SIGN.get)
    add(SIGN_EVENT, "sign_event", SIGN_EVENT.get)
    add(SIGN_MINOR, "sign_minor", lambda t: "")
    add(ACUTE, "acute", lambda t: "")
    add(CHRONIC, "chronic", lambda t: "")
    add(TREATMENT, "treatment", lambda t: "medical")
    add(BLOCKED, "blocked", lambda t: "")
    add(LOWER, "lower", lambda t: "")
    add(RESOLVED, "resolved", lambda t: "")
    add(MASKS, "mask", lambda t: "")
    add(HEARSAY, "hearsay", lambda t: "")
    add(HYPOTHETICAL, "hypothetical", lambda t: "")
    add(VULN_SPECIFIC, "vuln", VULN_SPECIFIC.get)
    add(VULN_ALSO, "vuln", VULN_ALSO.get)
    add(VULN_GENERIC, "vuln_generic", VULN_GENERIC.get)
    add(EPIDEMIC, "epidemic", lambda t: "")
    add(TYPE_CUES, "type", TYPE_CUES.get)
    for term, kinds in entries.items():
        # The set of the kinds rides along so that a sentence's kinds are a union of ready sets.
        auto.add_word(term, (term, tuple(kinds), frozenset(k for k, _v in kinds)))
    auto.make_automaton()
    return auto


_AUTOMATON = _build_automaton()


def _outermost(hits: list) -> list:
    """Drop hits lying inside a longer hit ("老年" inside "老年人")."""
    if len(hits) < 2:
        return hits
    spans = [(s, s + len(t)) for s, t, _k, _ks in hits]
    return [
        h
        for h, (s, e) in zip(hits, spans, strict=True)
        if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2 in spans)
    ]


def _anchored(sentence: str, start: int) -> bool:
    """True when a person anchor (我家, 有个, 邻居 …) precedes ``start`` in the same clause."""
    clause_start = max(sentence.rfind(p, 0, start) for p in "，,、：:") + 1
    clause = sentence[clause_start:start]
    return _ANCHORS_RE.search(clause) is not None


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
    return _phones_in(normalize(text))


def _phones_in(norm: str) -> list[str]:
    """``find_phones`` of text already normalised (normalising again would miss the cache
    and cost as much as the search)."""
    out = []
    for m in _PHONE_RE.finditer(norm):
        out.append("".join(g for g in m.groups() if g))
    return list(dict.fromkeys(out))


#: Risk words that may stand a few characters before the danger ("很容易搞出山火").
RISK_WIDE = ("容易", "可能", "担心", "隐患", "防止", "以防", "预防", "避免")
_WOULD_FAIL = re.compile(r"(走|跑|逃|出)都?(走|跑|逃|出)?不(到|了|掉|出去)")
# Cries that callers also use about prices ("救命啊这个价格", "一把葱八块，杀人啊"): in a sentence
# about prices they are a complaint, not a danger (written corpus 12, after blind sets 9 and 10).
PRICE_CRIES = frozenset(("救命啊", "杀人"))
_PRICE = re.compile(r"价|多少钱|\d+块|[一二两三四五六七八九十几]+块|一斤|抢钱|太贵|好贵")


#: Hearsay cues that come before what they report; within the first characters of a sentence
#: they make the whole sentence a rumour (the caller opens with it).
_HEARSAY_LEADS = frozenset(HEARSAY_LEAD)
HEARSAY_OPENING = 6


def _consequence(sentence: str, start: int, end: int) -> bool:
    """A danger named as a risk or a consequence: "容易着火", "着火了就跑不掉", "着火的话"."""
    before = sentence[max(0, start - 2) : start]
    after = sentence[end : end + 2]
    wider = sentence[max(0, start - 6) : start]
    if (
        any(before.endswith(r) for r in RISK)
        or any(r in wider for r in RISK_WIDE)
        or after.startswith(("了就", "就", "的话", "隐患", "事件", "的风险", "的问题"))
    ):
        return True
    # "真是有火灾走都走不到": an escape that would fail, said of a fire that is not happening
    return bool(_WOULD_FAIL.search(sentence, end, end + 8)) and "有" in before


_CLAUSE_SEP = re.compile(r"[,，、\s]")


def _past_in_clause(sentence: str, start: int, end: int) -> bool:
    """A past or habitual cue in the clause of ``sentence[start:end]`` (clauses end at commas and
    spaces: "喷雾上个星期就用完了" is past, "喘不上气，嘴唇都紫了" beside it is not)."""
    left = max((m.end() for m in _CLAUSE_SEP.finditer(sentence, 0, start)), default=0)
    right = _CLAUSE_SEP.search(sentence, end)
    clause = sentence[left : right.start() if right else len(sentence)]
    return any(w in clause for w in PAST) or any(w in clause for w in HABITUAL)


def _told_as_past(sentence: str, end: int) -> bool:
    """ "着火过": the experiential 过 right after a term (not 过来/过去)."""
    return sentence[end : end + 1] == "过" and sentence[end : end + 2] not in ("过来", "过去")


def _grown(sentence: str, start: int) -> bool:
    """A "孩子" who studies at university or works: the clause says so after the word."""
    ends = [i for i in (sentence.find(p, start) for p in "，,。；;") if i != -1]
    return any(g in sentence[start : min(ends, default=len(sentence))] for g in GROWN)


def _pet_before(sentence: str, start: int) -> bool:
    clause_start = max(sentence.rfind(p, 0, start) for p in "，,、：:") + 1
    return any(p in sentence[clause_start:start] for p in PETS)


def apply_rules(text: str) -> RuleFindings:
    """Run every rule family over ``text`` and return the findings with their reasons."""
    found = RuleFindings()
    norm = normalize(text)
    found.phones = _phones_in(norm)
    is_question_text = any(q in norm for q in ("请问", "咨询", "?")) or norm.endswith(("吗", "呢"))
    has_anchor = _ANCHORS_RE.search(norm) is not None
    suggestion = "建议" in norm
    level = 0
    resolved = False
    need_hits: list[tuple[str, str]] = []
    missing: list[str] = []
    sign_found: tuple[str, str] | None = None  # (reason, category hint) of danger signs
    for sentence_match in _SENTENCE_RE.finditer(norm):
        sentence = sentence_match.group(0)
        # hits: (start, term, ((kind, value), …), the set of those kinds)
        hits = _outermost(
            [(end - len(t) + 1, t, ks, kset) for end, (t, ks, kset) in _AUTOMATON.iter(sentence)]
        )
        kinds_here = set().union(*[h[3] for h in hits])
        # The hearsay and hypothetical cues are looked for only in a sentence holding one (most
        # hold neither), and the question test only for a generic mention that needs it: three
        # generator scans less per sentence, the same findings. With the other shortcuts of this
        # module (pattern bits, word lists as one search, age gates) apply_rules costs 18 µs for
        # the bench's appeal against 33 µs before (normalisation cached, timed alone).
        hear_at = None
        rumour = False
        if "hearsay" in kinds_here:
            # Hearsay told before the matter ("听说…", "群里说…") covers what follows its cue; a
            # cue that judges the whole ("…是真的吗", "传言") covers the sentence. So "好浓的煤气
            # 味，敲门没人应，听说他家在隔离" is a gas leak, not a rumour.
            hear_at = min(
                (s for s, t, _ks, kset in hits if "hearsay" in kset and t in _HEARSAY_LEADS),
                default=None,
            )
            rumour = any(
                t not in _HEARSAY_LEADS for _s, t, _ks, kset in hits if "hearsay" in kset
            ) or (hear_at is not None and hear_at <= HEARSAY_OPENING)
        # a hypothetical ("万一…", "如果…") covers what follows its cue in the sentence, not what
        # precedes it: "我爸降压药吃完了，万一出事怎么办" is a real need
        hyp_at = (
            min(s for s, _t, _ks, kset in hits if "hypothetical" in kset)
            if "hypothetical" in kinds_here
            else None
        )
        acute = "acute" in kinds_here and "chronic" not in kinds_here

        question = None  # is_question_text or a question word in the sentence; read seldom
        if rumour:
            found.hearsay = True
        blocked = "blocked" in kinds_here
        signs: list[tuple[str, str, bool]] = []  # (term, category hint, may stand alone: acute)
        minor_signs: list[str] = []
        for start, term, kinds, _kset in hits:
            hypothetical = hyp_at is not None and start >= hyp_at
            hearsay = rumour or (hear_at is not None and start >= hear_at)
            for kind, value in kinds:
                if kind == "critical":
                    if _negated(sentence, start):
                        found.reasons.append(f"“{term}”前有否定，不作危急")
                    elif (
                        hearsay
                        or hypothetical
                        or (value == "safety" and _consequence(sentence, start, start + len(term)))
                    ):
                        why = "传闻" if hearsay else "假设" if hypothetical else "隐患或后果"
                        found.reasons.append(f"“{term}”出现在{why}句中，不作危急")
                    elif _past_in_clause(sentence, start, start + len(term)) or _told_as_past(
                        sentence, start + len(term)
                    ):
                        found.reasons.append(f"“{term}”是过去的事，不作危急")
                    elif _pet_before(sentence, start):
                        found.reasons.append(f"“{term}”说的是动物，不作危急")
                    elif term in TRAPPED and any(w in sentence for w in LOCKDOWN):
                        found.reasons.append(f"“{term}”指封控中出不去，不作危急")
                    elif term in PRICE_CRIES and _PRICE.search(sentence):
                        found.reasons.append(f"“{term}”是对价格的夸张说法，不作危急")
                    else:
                        if level < 2:
                            found.category_hint = value
                        level = 2
                        found.reasons.append(f"危及生命的表述“{term}”→危急")
                        if term in SICK_SIGNS:
                            found.vulnerable.add("sick")
                elif kind in ("sign", "sign_event", "sign_minor"):
                    if hearsay or hypothetical or _negated(sentence, start):
                        continue
                    if _past_in_clause(sentence, start, start + len(term)):
                        continue
                    if kind == "sign_minor":
                        minor_signs.append(term)
                    elif not _consequence(sentence, start, start + len(term)):
                        signs.append((term, value, kind == "sign" and acute))
                elif kind == "critical_if_vulnerable" and not (hearsay or hypothetical):
                    if not _negated(sentence, start):
                        missing.append(term)
                elif kind in ("need_strong", "need") and not (hearsay or hypothetical):
                    need_hits.append((term, value if kind == "need" else "strong:" + value))
                elif kind == "treatment" and blocked and not (hearsay or hypothetical):
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
                    if (
                        (_negated(sentence, start) and value == "sick")
                        or ((hearsay or hypothetical) and not has_anchor)
                        or (value == "sick" and _pet_before(sentence, start))
                        or (term in CHILD_KIN and _grown(sentence, start))
                    ):
                        continue
                    if value not in found.vulnerable:
                        found.reasons.append(f"“{term}”→{VULNERABLE_ZH[value]}")
                    found.vulnerable.add(value)
                elif kind == "vuln_generic":
                    generic = not _anchored(sentence, start)
                    if generic and question is None:
                        question = is_question_text or _QUESTION_RE.search(sentence) is not None
                    if generic and (question or hearsay or hypothetical or suggestion):
                        found.reasons.append(
                            f"“{term}”是泛指的提问，不标记为{VULNERABLE_ZH[value]}"
                        )
                    elif value not in found.vulnerable:
                        found.reasons.append(f"“{term}”→{VULNERABLE_ZH[value]}")
                        found.vulnerable.add(value)
        if not rumour:
            # patterns read only what no hypothetical or hearsay cue covers
            cut = min((c for c in (hyp_at, hear_at) if c is not None), default=None)
            level = _sentence_patterns(
                sentence[:cut], found, level, need_hits, missing, signs, acute
            )
            if hyp_at is not None:
                _hypothetical_needs(sentence[hyp_at:], hits, hyp_at, found)
        if signs and sign_found is None:
            sign_found = _judge_signs(signs, minor_signs)
    _ages(norm, found, is_question_text and not has_anchor)
    if _HOTLINE_RE.search(norm):
        found.hotline = True
        found.reasons.append("反映热线本身难打通→其他")
        if found.type_hint is None:
            found.type_hint = "complaint"
    found.work = _WORK_RE.search(norm) is not None
    found.nuisance = _NUISANCE_RE.search(norm) is not None
    found.high_fever = _HIGH_FEVER.search(norm) is not None and not _FEVER_OVER.search(norm)
    # the first word of the list, not of the text, names the thanks: searched only when one is there
    thanks = next((w for w in GRATITUDE if w in norm), None) if _GRATITUDE_RE.search(norm) else None
    if thanks and _RETROSPECT_RE.search(norm):
        found.thanks = resolved = True
        found.reasons.append(f"感谢已经过去的事“{thanks}”→危险已解除，按一般处理")
        if found.type_hint is None:
            found.type_hint = "praise"
    if sign_found and level < 2:
        level = 2
        found.reasons.append(sign_found[0])
        found.category_hint = sign_found[1]
        if found.category_hint == "medical":
            found.vulnerable.add("sick")
    child_only = [m.removeprefix("child:") for m in missing if m.startswith("child:")]
    missing = [m for m in missing if not m.startswith("child:")]
    if missing and level < 2 and found.vulnerable & {"elderly", "child", "disabled"}:
        level = 2
        found.category_hint = "safety"
        found.reasons.append(f"老人、儿童或残疾人“{missing[0]}”→危急")
    if child_only and level < 2 and "child" in found.vulnerable:
        level = 2
        found.category_hint = "safety"
        found.reasons.append(f"儿童“{child_only[0]}”→危急")
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


def _hypothetical_needs(tail: str, hits: list, hyp_at: int, found: RuleFindings) -> None:
    """A need or danger named after a hypothetical cue ("万一降压药吃完了怎么办"): never raised,
    not even by the model (``found.hypothetical``)."""
    said = next(
        (
            t
            for s, t, ks, _kset in hits
            for k, _v in ks
            if s >= hyp_at and k in ("critical", "need", "need_strong", "sign", "sign_event")
        ),
        None,
    )
    if said is None:
        for _keys, pattern, _kind, _value in _keyed_patterns(tail):
            if m := pattern.search(tail):
                said = m.group(0)
                break
    if said is not None:
        found.hypothetical = True
        found.reasons.append(f"“{said}”出现在假设句中，不升级")


def _judge_signs(signs: list, minor_signs: list) -> tuple[str, str] | None:
    """Danger signs of one sentence: critical with an acute cue, a second sign or a minor sign."""
    distinct = list(dict.fromkeys(t for t, _v, _a in signs))
    alone = next((t for t, _v, a in signs if a), None)
    if alone:
        return f"突发的危险征兆“{alone}”→危急", signs[0][1]
    if len(distinct) >= 2 or minor_signs:
        shown = "”+“".join(dict.fromkeys(distinct + minor_signs))
        return f"危险征兆“{shown}”同时出现→危急", signs[0][1]
    return None


def _sentence_patterns(
    sentence: str,
    found: RuleFindings,
    level: int,
    need_hits: list,
    missing: list,
    signs: list,
    acute: bool,
) -> int:
    """Run the phrasing patterns over one sentence (not a rumour or hypothetical)."""
    for _keys, pattern, kind, value in _keyed_patterns(sentence):
        m = pattern.search(sentence)
        if m is None or _negated(sentence, m.start()):
            continue
        said = m.group(0)
        if kind == "out_of_medicine":
            if any(sentence[max(0, m.start() - 4) : m.start()].endswith(w) for w in MINOR_MEDS):
                need_hits.append((said, "medical"))  # a cold remedy: a need, not a chronic one
                continue
            need_hits.append((said, "strong:medical"))
            if "sick" not in found.vulnerable:
                found.vulnerable.add("sick")
                found.reasons.append(f"“{said}”→病（需长期用药）")
        elif kind in ("need", "strong"):
            need_hits.append((said, value if kind == "need" else "strong:" + value))
        elif kind == "critical_if_vulnerable":
            missing.append(said)
        elif kind == "critical_if_child":
            missing.append("child:" + said)
        elif kind == "sign":
            if not _past_in_clause(sentence, m.start(), m.end()):
                signs.append((said, value, acute))
        elif _past_in_clause(sentence, m.start(), m.end()) or _told_as_past(sentence, m.end()):
            found.reasons.append(f"“{said}”是过去的事，不作危急")
        elif said.startswith("没气") and any(g in sentence for g in _GAS_SUPPLY):
            continue  # the gas supply ran out, not a person's breath
        elif _pet_before(sentence, m.start()):
            found.reasons.append(f"“{said}”说的是动物，不作危急")
        elif value == "safety" and _consequence(sentence, m.start(), m.end()):
            found.reasons.append(f"“{said}”出现在隐患或后果句中，不作危急")
        else:
            category, _, flag = value.partition(":")
            if level < 2:
                found.category_hint = category
            level = 2
            found.reasons.append(f"危及生命的表述“{said}”→危急")
            if flag and flag not in found.vulnerable:
                found.vulnerable.add(flag)
                found.reasons.append(f"“{said}”→{VULNERABLE_ZH[flag]}")
    return level


#: Characters an age said without 岁 needs (``_AGE_BARE_RE``: 六十…, 60…).
_AGE_BARE_CUES = "六七八九6789"


def _ages(norm: str, found: RuleFindings, generic_question: bool) -> None:
    # Each pattern is searched only when a word it needs is in the text (岁, 今年, 年级, 月; most
    # appeals hold none): 5.2 → 1.2 µs for the bench's appeal, the same findings.
    if "岁" in norm:
        _ages_said(norm, found, generic_question)
    if any(c in norm for c in _AGE_BARE_CUES):
        _bare_ages(norm, found, generic_question)
    if "今年" in norm:
        _year_ages(norm, found, generic_question)
    if "年级" in norm:
        m = _GRADE_RE.search(norm)
        if m and not generic_question and "child" not in found.vulnerable:
            found.vulnerable.add("child")
            found.reasons.append(f"“{m.group(0)}”→幼")
    if "月" in norm:
        _months(norm, found, generic_question)


def _ages_said(norm: str, found: RuleFindings, generic_question: bool) -> None:
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


def _bare_ages(norm: str, found: RuleFindings, generic_question: bool) -> None:
    for m in _AGE_BARE_RE.finditer(norm):
        clause_start = max(norm.rfind(p, 0, m.start()) for p in "，,。；;、") + 1
        if "elderly" in found.vulnerable or generic_question:
            break
        if any(c in norm[max(clause_start, m.start() - 8) : m.start()] for c in _AGE_PERSON):
            found.vulnerable.add("elderly")
            found.reasons.append(f"“{m.group(0)}”→老（年龄）")


def _year_ages(norm: str, found: RuleFindings, generic_question: bool) -> None:
    for m in _AGE_YEAR_RE.finditer(norm):
        age = _cn_number(m.group(1))
        if age and age >= 60 and not generic_question and "elderly" not in found.vulnerable:
            found.vulnerable.add("elderly")
            found.reasons.append(f"“{m.group(0)}”→老")


def _months(norm: str, found: RuleFindings, generic_question: bool) -> None:
    m = _MONTHS_RE.search(norm)
    if m and not generic_question and "child" not in found.vulnerable:
        if (
            "怀孕" in norm[max(0, m.start() - 4) : m.start()]
            or "孕" in norm[max(0, m.start() - 2) : m.start()]
        ):
            return
        found.vulnerable.add("child")
        found.reasons.append(f"“{m.group(0)}”→幼")
