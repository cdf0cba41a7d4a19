"""The project's one Chinese tokeniser: rjieba with a domain dictionary, plus character n-grams.

Triage, the knowledge base and search all call these functions so that a word means the same
thing everywhere. The domain dictionary holds epidemic terms (健康码, 核酸, 封控 …), colloquial
phrases callers use (喘不上气, 叫不醒 …) and every place name of the city's divisions, so that
"茂南区河西街道" is cut into place names instead of fragments.

Public API: :func:`normalize`, :func:`tokenize`, :func:`char_ngrams`, :func:`add_words`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from operator import add
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rjieba

# Epidemic vocabulary and colloquial phrases; place names are added from the divisions data.
DOMAIN_WORDS: tuple[str, ...] = (
    # codes and cards
    "健康码",
    "行程卡",
    "粤康码",
    "场所码",
    "黄码",
    "红码",
    "绿码",
    "灰码",
    "弹窗",
    "带星",
    "转码",
    "赋码",
    "出入卡",
    "出门卡",
    "通行证",
    "通行码",
    "货车通行证",
    "复工证",
    # testing
    "核酸",
    "核酸检测",
    "做核酸",
    "采样点",
    "核酸点",
    "混管",
    "单管",
    "单采",
    "十混一",
    "上门采样",
    "抗原",
    "核酸报告",
    "核酸结果",
    "阴性证明",
    "24小时核酸",
    "48小时核酸",
    # control
    "封控",
    "封控区",
    "管控区",
    "防范区",
    "静默",
    "解封",
    "封楼",
    "封村",
    "居家隔离",
    "集中隔离",
    "隔离酒店",
    "方舱",
    "密接",
    "次密接",
    "时空伴随",
    "阳性",
    "确诊",
    "无症状",
    "高风险区",
    "中风险区",
    "低风险区",
    "流调",
    "防疫",
    "疫情",
    "卡口",
    "志愿者",
    "网格员",
    "居委会",
    "村委会",
    "社区",
    "物业",
    "团购",
    "保供",
    "菜篮子",
    "社区团购",
    # medical and life-threatening phrases
    "喘不上气",
    "喘不过气",
    "呼吸困难",
    "叫不醒",
    "不省人事",
    "见红",
    "羊水破了",
    "破水",
    "想不开",
    "不想活",
    "跳楼",
    "割腕",
    "误吞",
    "误服",
    "煤气泄漏",
    "燃气泄漏",
    "着火",
    "胸口痛",
    "胸痛",
    "透析",
    "化疗",
    "产检",
    "预产期",
    "断药",
    "降压药",
    "胰岛素",
    "高血压",
    "糖尿病",
    "尿毒症",
    "发高烧",
    "高烧不退",
    "行动不便",
    "卧床",
    "坐轮椅",
    "独居老人",
    "孤寡老人",
    "空巢老人",
    "老年痴呆",
    "阿尔茨海默",
    "奶粉",
    "婴儿",
    "孕妇",
    # utilities and delivery
    "停水",
    "停电",
    "停气",
    "快递",
    "外卖",
    "垃圾",
    "哄抬物价",
    "涨价",
    "坐地起价",
)

_PUNCT_RE = re.compile(r"[\s\W_]+", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")

_lock = threading.Lock()
_jieba: rjieba.Jieba | None = None
_extra_words: list[str] = []


#: Cantonese (粤语) words callers in Maoming use, and the Mandarin words the lexicons, the model
#: and the knowledge base are written in. Written for this project from common usage; only words
#: and characters that mean nothing else in Mandarin are mapped (食, 饮, 系, 话 … only in the
#: contexts below), and none occurs in a Maoming place name (checked against the villages file).
CANTONESE: dict[str, str] = {
    # phrases first (the alternation tries longer keys first)
    "系唔系": "是不是",
    "系咪": "是不是",
    "係咪": "是不是",
    "得唔得": "行不行",
    "使唔使": "要不要",
    "有冇": "有没有",
    "冇晒": "没了",
    "冇哂": "没了",
    "仲得": "只剩",
    "入面": "里面",
    "打交": "打架",
    "嗌救命": "喊救命",
    "返去": "回去",
    "标出来": "喷出来",
    "标出嚟": "喷出来",
    "止唔到": "止不住",
    "成地": "满地",
    "犀利": "厉害",
    "就嚟生": "要生了",
    "嚟生": "要生了",
    "我惊": "我怕",
    "好惊": "好怕",
    "惊出事": "怕出事",
    "好易": "很容易",
    "礼拜": "星期",
    "满晒": "满了",
    "多谢": "谢谢",
    "担水": "挑水",
    "而家": "现在",
    "宜家": "现在",
    "屋企": "家里",
    "细路仔": "小孩",
    "细路女": "小女孩",
    "细路": "小孩",
    "隔篱": "隔壁",
    "琴晚": "昨晚",
    "寻晚": "昨晚",
    "琴日": "昨天",
    "寻日": "昨天",
    "今朝": "今天早上",
    "听日": "明天",
    "边度": "哪里",
    "边个": "谁",
    "点算": "怎么办",
    "点解": "为什么",
    "点样": "怎样",
    "乜嘢": "什么",
    "呢度": "这里",
    "嗰度": "那里",
    "呢个": "这个",
    "嗰个": "那个",
    "呢啲": "这些",
    "嗰啲": "那些",
    "好似": "好像",
    "成日": "整天",
    "啱啱": "刚刚",
    "即刻": "马上",
    "头先": "刚才",
    "老豆": "爸爸",
    "阿爸": "爸爸",
    "阿妈": "妈妈",
    "个女": "女儿",
    "个仔": "儿子",
    "搞掂": "搞定",
    "揾唔到": "找不到",
    "郁唔到": "动不了",
    "跌咗落": "掉进",
    "跌落": "掉进",
    "喺度": "在这里",
    "佢哋": "他们",
    "我哋": "我们",
    "你哋": "你们",
    # characters
    "咗": "了",
    "唔": "不",
    "冇": "没",
    "喺": "在",
    "嘅": "的",
    "佢": "他",
    "啲": "些",
    "嗰": "那",
    "揾": "找",
    "睇": "看",
    "瞓": "睡",
    "俾": "给",
    "畀": "给",
    "攞": "拿",
    "嘢": "东西",
    "咁": "这么",
    "哋": "们",
    "嚟": "来",
    "冚": "全",
}
#: Words whose Cantonese sense needs a context (the Mandarin sense elsewhere is kept), each with
#: the characters it needs (the rule is skipped for a text without them).
_CANTONESE_CONTEXT = (
    ("晒哂", re.compile(r"([用食饮卖空吃喝])[晒哂]"), r"\1完"),  # 用晒 → 用完 (not 晒太阳)
    ("食", re.compile(r"食(?=[饭药嘢东了完不没晒])"), "吃"),  # 食饭 → 吃饭 (not 食品, 粮食)
    ("食", re.compile(r"(?<=[没不够得])食|(?<=东西)食"), "吃"),  # 冇得食 → 没得吃, 冇嘢食
    ("饮", re.compile(r"饮(?=[了水奶醋酒药东完])"), "喝"),  # 饮醋 → 喝醋 (not 饮食)
    ("系", re.compile(r"(?<=[我你他都就不真还即])系(?![统列数])"), "是"),  # 我系 (not 联系)
    ("话", re.compile(r"(?<![电说通对讲笑])话(?=[不没是要他我你说])"), "说"),  # 医院话不收
    ("仲", re.compile(r"仲(?![裁夏秋春冬介])"), "还"),  # 仲有 → 还有 (not 仲裁)
    ("b", re.compile(r"(?<![a-z])bb(?![a-z])"), "宝宝"),
)
_CANTONESE_RE = re.compile("|".join(sorted(map(re.escape, CANTONESE), key=len, reverse=True)))
#: One character of every CANTONESE key — the one least frequent in the project's Mandarin
#: appeals (counted once over the training set): a text holding none of them cannot hold a key
#: and skips the table (about two texts in three). A test checks every key holds one.
KEY_CUES = frozenset(
    "乜仔仲企似佢使係俾先入冇冚即呢咁咗咪哋唔啱啲喺嗰嘅嘢嚟女宜寻度惊成担拜掂揾攞日易晒朝标样犀"
    "琴畀睇瞓算篱细而解谢豆跌边返阿嗌交"
)


#: Every character that can start work in :func:`_mandarin`: the table's cues and the context
#: rules' characters. No Mandarin word of the table holds a context rule's character (checked
#: here), so the characters a text holds before the table is applied decide which rules run.
_DIALECT_CUES = KEY_CUES | frozenset("".join(chars for chars, _p, _r in _CANTONESE_CONTEXT))
assert not frozenset("".join(CANTONESE.values())) & (_DIALECT_CUES - KEY_CUES)


def _mandarin(text: str) -> str:
    """Cantonese words of ``text`` as the Mandarin words the rest of triage knows."""
    # One pass over the text for every cue instead of one per context rule: 3.2 → 0.9 µs for
    # the bench's appeal. A rule run on a text that no longer holds its character (the table
    # replaced it) changes nothing.
    present = _DIALECT_CUES.intersection(text)
    if not present:
        return text
    if not KEY_CUES.isdisjoint(present):
        text = _CANTONESE_RE.sub(lambda m: CANTONESE[m.group()], text)
    for chars, pattern, replacement in _CANTONESE_CONTEXT:
        if not present.isdisjoint(chars):
            text = pattern.sub(replacement, text)
    return text


#: NFKD of the compatibility characters appeals hold most (full-width ASCII, the ideographic
#: space). Translating them first leaves NFKC's result unchanged (NFKC composes the full
#: decomposition, and these are replaced by theirs) and leaves most texts already in NFKC, which
#: ``unicodedata.is_normalized`` confirms faster than ``normalize`` rebuilds the string:
#: 3.2 → 1.7 µs for the bench's appeal, 42 → 19 µs for a 358-character message.
_COMPAT = {c: unicodedata.normalize("NFKD", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}


def _nfkc(text: str) -> str:
    text = text.translate(_COMPAT)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=4096)  # assess() normalises one text for the rules, the model and the places
def normalize(text: str) -> str:
    """Return ``text`` in NFKC form (full-width letters and digits become ASCII), lower-cased,
    with runs of white space collapsed to one space and Cantonese words in Mandarin
    (:data:`CANTONESE`)."""
    if not text:
        return ""
    text = _SPACE_RE.sub(" ", _nfkc(text)).strip().lower()
    return _mandarin(text)


def _place_words() -> Iterable[str]:
    # Imported lazily: the gazetteer reads the divisions files, which tokenisation only needs once.
    from hotline.triage.gazetteer import dictionary_words

    return dictionary_words()


def _build() -> rjieba.Jieba:
    # Imported here: loading rjieba's dictionary takes about half a second, and every process
    # imports this module (orders → triage) while many never cut a word (the CLI, the worker).
    import rjieba

    jieba = rjieba.Jieba()
    for word in (*DOMAIN_WORDS, *_place_words(), *_extra_words):
        # A high frequency makes the dictionary word win over the default segmentation.
        jieba.add_word(word, 200000, None)
    return jieba


def get_jieba() -> rjieba.Jieba:
    """Return the process-wide rjieba instance with the domain dictionary loaded (built once)."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                _jieba = _build()
    return _jieba


def add_words(words: Iterable[str]) -> None:
    """Add words to the domain dictionary (for instance a knowledge base's own terms)."""
    words = [w for w in words if w]
    _extra_words.extend(words)
    if _jieba is not None:
        for word in words:
            _jieba.add_word(word, 200000, None)


def added_words() -> tuple[str, ...]:
    """The words :func:`add_words` has added in this process, in order (the knowledge base's
    stored tokens depend on them)."""
    return tuple(_extra_words)


def tokenize(text: str) -> list[str]:
    """Cut ``text`` into words: normalised, punctuation and white space dropped.

    >>> tokenize("健康码变黄了！")
    ['健康码', '变黄', '了']
    """
    norm = normalize(text)
    if not norm:
        return []
    return _words(get_jieba().cut(norm, False))


def _words(tokens: list[str]) -> list[str]:
    # A token all of whose characters are letters or digits (most) is a word without asking the
    # expression, which drops a token only when every character is space, punctuation or "_"
    # (isalnum() is the expression's \w less "_"): cutting and filtering the bench's appeal
    # 4.3 → 3.3 µs.
    return [tok for tok in tokens if tok.isalnum() or not _PUNCT_RE.fullmatch(tok)]


def analyze(text: str, n_min: int = 1, n_max: int = 3) -> tuple[list[str], list[str]]:
    """``(tokenize(text), char_ngrams(text, n_min, n_max))`` normalising the text only once."""
    norm = normalize(text)
    if not norm:
        return [], []
    words = _words(get_jieba().cut(norm, False))
    return words, _ngrams(_PUNCT_RE.sub("", norm), n_min, n_max)


def _ngrams(compact: str, n_min: int, n_max: int) -> list[str]:
    if (n_min, n_max) == (1, 3):
        # What the model reads, built by C-level maps, each n-gram one character added to an
        # (n-1)-gram, in the same order as below: the bench's appeal 6.6 → 4.2 µs, a
        # 358-character message 86 → 53 µs.
        bigrams = list(map(add, compact, compact[1:]))
        return [*compact, *bigrams, *map(add, bigrams, compact[2:])]
    size = len(compact)
    grams: list[str] = []
    for n in range(n_min, n_max + 1):
        grams += [compact[i : i + n] for i in range(size - n + 1)]
    return grams


def char_ngrams(text: str, n_min: int = 1, n_max: int = 3) -> list[str]:
    """Character n-grams of the normalised text, punctuation and spaces removed.

    The second view of the text: robust to typos and to words the dictionary does not know.
    """
    return _ngrams(_PUNCT_RE.sub("", normalize(text)), n_min, n_max)
