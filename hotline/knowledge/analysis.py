"""How articles and queries are cut into search tokens: two views of the same text.

* **Words** — the project's one tokeniser (``hotline.triage.tokenize``: rjieba and the domain
  dictionary) minus the words callers frame a question with (请问, 怎么办 …). Cutting words is
  the expensive step (rjieba), so the words of every :class:`~.models.ArticleVersion` are cut
  once, when the version is written, and stored on it with :func:`token_scheme`
  (:func:`stored_tokens`). Building an index loads them.
* **Characters** — single characters (framing characters dropped) and character bigrams of the
  normalised text: what survives words the dictionary cuts differently (冒烟 / 烟雾, 天然气 /
  燃气) or does not know. They are a pure function of the text and are cut for all articles at
  once with numpy (:func:`char_codes`): a character is its code point, a bigram
  ``(first << 21) | second``, so no token strings are ever built for them.

An article is indexed by field — title, tags, similar questions (常见问法), body — so that the
index can weight each field without re-tokenising anything.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np

from hotline.triage import tokenize as tokenizer
from hotline.triage.tokenize import tokenize

#: Bump whenever :func:`field_words` would cut a stored text differently (the stop words are
#: in the fingerprint already). Together with a fingerprint of the tokeniser and its dictionary
#: it forms :func:`token_scheme`; stored tokens of another scheme are cut again (and stored
#: again) when an index is built.
TOKEN_SCHEME = 2

#: The fields an article is indexed by, in the order they are stored.
FIELDS = ("title", "tags", "questions", "body")

#: Words that say nothing about the matter (how callers frame a question).
_STOPWORDS_TEXT = (
    "的 了 吗 呢 吧 啊 呀 嘛 哦 么 我 我们 你 你们 您 他 她 它 他们 是 在 "
    "有 和 与 或 就 都 也 要 会 能 可以 可不可以 能不能 能否 可否 怎么 怎么办 "
    "怎么样 怎样 如何 什么 啥 哪 哪里 哪儿 哪些 请问 问 问一下 一下 想 想问 "
    "想知道 知道 现在 这个 那个 这样 那样 还 还是 没 没有 不 一个 个 给 让 被 "
    "把 对 到 从 去 来 上 下 里 中 多少 几 吗？ 该 应该 需要 需不需要 要不要 "
    "得 着 过 又 再 才 已经 刚 刚刚 好 请 帮 帮忙 一直 时候 今天 明天 昨天 "
    "家里 自己 但是 因为 所以 如果 这 那 谁 等 了解 才能 咨询 一问 "
    "咋 咋办 咋整 咋弄 怎么回事 怎么搞 是不是 有没有 行不行 可不可 能不 "
    "一下子 请教 麻烦 你好 您好 喂 那么 这么 为什么 为啥 干嘛 "
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
#: Multi-character framing phrases dropped from a query before its characters are cut.
_FRAMING = sorted((w for w in STOPWORDS if len(w) >= 2), key=len, reverse=True)
_FRAMING_RE = re.compile("|".join(re.escape(w) for w in _FRAMING))
#: Framing characters, as a lookup table over code points (never a character token).
_STOP_CHAR = np.zeros(0x110000, dtype=bool)
_STOP_CHAR[[ord(w) for w in STOPWORDS if len(w) == 1]] = True
_PUNCT_RE = re.compile(r"[\s\W_]+", re.UNICODE)
#: Marks in the texts an index is built from: between articles, between pieces of a field (two
#: questions, two tags) and at the start of each field. No bigram spans one.
_DOC = "\x00"
_SEGMENT = "\x01"
FIELD_MARK = "\x02"
#: Bigram codes start here (a character is below it).
BIGRAM_BASE = 1 << 21


def content_words(text: str) -> list[str]:
    """The words of ``text`` without framing words."""
    return [w for w in tokenize(text) if w not in STOPWORDS]


def strip_framing(text: str) -> str:
    """``text`` (normalised) with the framing phrases removed (for the character view)."""
    return _FRAMING_RE.sub(" ", text)


def field_segments(
    title: str, tags: Sequence[str], questions: Sequence[str], body: str
) -> dict[str, list[str]]:
    """Each field as its separate pieces of text (a bigram never spans two tags)."""
    return {
        "title": [title or ""],
        "tags": list(tags or ()),
        "questions": list(questions or ()),
        "body": [body or ""],
    }


def field_words(title: str, tags: Sequence[str], questions: Sequence[str], body: str) -> dict:
    """The words of each field, space-joined (words never contain white space)."""
    segments = field_segments(title, tags, questions, body)
    return {
        name: " ".join(w for text in segments[name] for w in content_words(text)) for name in FIELDS
    }


def _dictionary_sources() -> list[Path]:
    """What the tokeniser's cuts depend on: its code (with the domain words), the gazetteer's
    code and the divisions data the place names come from."""
    from hotline.triage import gazetteer

    return [
        Path(tokenizer.__file__),
        Path(gazetteer.__file__),
        *sorted(p for p in gazetteer.GEO_DATA.iterdir() if p.is_file()),
    ]


@lru_cache(maxsize=4)
def _fingerprint(extra_words: tuple[str, ...]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(version("rjieba").encode() + b"\0" + _STOPWORDS_TEXT.encode())
    for path in _dictionary_sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for word in extra_words:
        digest.update(word.encode() + b"\n")
    return digest.hexdigest()[:12]


def token_scheme() -> str:
    """The scheme stored tokens were cut with: :data:`TOKEN_SCHEME` and a fingerprint of what
    the cuts depend on (the stop words, rjieba's version, the tokeniser and gazetteer code, the
    divisions data of the place names, words added at run time). Hashing the files is
    conservative — any edit of them makes search cut the words again — and takes some 30 ms
    once per process, where building the dictionary takes a tenth of a second. Synonyms apply
    to queries only and are not in it."""
    return f"{TOKEN_SCHEME}.{_fingerprint(tokenizer.added_words())}"


def stored_tokens(title: str, tags: Sequence[str], questions: Sequence[str], body: str) -> dict:
    """What :attr:`ArticleVersion.search_tokens` holds: the scheme and the words per field."""
    return {"scheme": token_scheme(), "words": field_words(title, tags, questions, body)}


def usable_words(stored, scheme: str) -> dict | None:
    """The words per field of stored tokens, or None when they are missing, malformed or of
    another scheme (then the caller cuts them again)."""
    if not isinstance(stored, Mapping) or stored.get("scheme") != scheme:
        return None
    words = stored.get("words")
    if not isinstance(words, Mapping) or len(words) != len(FIELDS):
        return None
    if not all(type(words.get(f)) is str for f in FIELDS):
        return None
    return words


def word_text(words: Mapping[str, str]) -> str:
    """One article's words as one string for :func:`word_hashes`: each field after a field
    mark, its words separated by spaces."""
    return "".join(FIELD_MARK + words[f] for f in FIELDS)


def _field_of(cp: np.ndarray) -> np.ndarray:
    """The field (position in FIELDS) of every position of texts made of one field mark per
    field, in order (what :func:`word_text` and :func:`char_text` build)."""
    return (np.cumsum(cp == ord(FIELD_MARK)) - 1) % len(FIELDS)


#: Words are hashed, not mapped through a dictionary: a polynomial hash of their code points
#: (mod 2**64, the multiplier odd), so that the words of 10,000 articles become token ids
#: with numpy alone. Two different words colliding is a chance of about 1e-10 at 100,000 words.
_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)


def _powers(n: int) -> np.ndarray:
    powers = np.empty(max(n, 1), dtype=np.uint64)
    powers[0] = 1
    with np.errstate(over="ignore"):
        powers[1:] = _HASH_BASE
        np.cumprod(powers, out=powers)
    return powers


def word_hashes(texts: Iterable[str], *, fields: bool = False) -> tuple[np.ndarray, ...]:
    """The words of many texts (words separated by spaces or field marks) as 64-bit hashes:
    ``(hashes, doc)``, and with ``fields`` the field of each word (see :func:`word_text`)."""
    joined = _DOC.join(texts) + _DOC
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    is_doc = cp == 0
    is_sep = (cp <= ord(FIELD_MARK)) | (cp == 0x20)
    starts = np.flatnonzero(~is_sep & np.concatenate([[True], is_sep[:-1]]))
    inside = np.flatnonzero(~is_sep)
    if not len(starts):
        hashes = np.zeros(0, dtype=np.uint64)
    else:
        is_start = np.zeros(len(cp), dtype=bool)
        is_start[starts] = True
        offset = inside - starts[np.cumsum(is_start[inside]) - 1]
        first = np.flatnonzero(offset == 0)
        with np.errstate(over="ignore"):
            terms = cp[inside].astype(np.uint64) * _powers(int(offset.max()) + 1)[offset]
            hashes = np.add.reduceat(terms, first)
            hashes ^= np.diff(np.append(first, len(inside))).astype(np.uint64) << np.uint64(56)
    doc = (np.cumsum(is_doc) - is_doc)[starts]
    if fields:
        return hashes, doc, _field_of(cp)[starts]
    return hashes, doc


_MARK_CHARS = dict.fromkeys(map(ord, (_DOC, FIELD_MARK)))


def char_text(segments: Mapping[str, list[str]]) -> str:
    """One article's text for the character view: NFKC and lower case (as ``normalize``), each
    field after a field mark, its pieces separated so that no bigram spans two."""
    raw = "".join(FIELD_MARK + _SEGMENT.join(segments[name]) for name in FIELDS)
    if _DOC in raw or raw.count(FIELD_MARK) != len(FIELDS):  # never in validated content
        raw = "".join(
            FIELD_MARK + _SEGMENT.join(segments[name]).translate(_MARK_CHARS) for name in FIELDS
        )
    return unicodedata.normalize("NFKC", raw).lower()


#: Code points known to separate pieces (white space, punctuation: what ``_PUNCT_RE`` drops,
#: and the marks), filled in as new characters are seen.
_SEPARATES = np.zeros(0x110000, dtype=bool)
_seen = np.zeros(0x110000, dtype=bool)
_MARKS = [0, 1, 2]


def _classify(cp: np.ndarray) -> np.ndarray:
    if len(cp) > 100_000:  # a whole index: a presence table beats sorting its characters
        present = np.zeros(len(_seen), dtype=bool)
        present[cp] = True
        new = np.flatnonzero(present & ~_seen)
    else:  # a query
        new = np.unique(cp[~_seen[cp]])
    if len(new):
        _SEPARATES[new] = [bool(_PUNCT_RE.fullmatch(chr(c))) for c in new]
        _SEPARATES[_MARKS] = True
        _seen[new] = True
    return _SEPARATES[cp]


def char_codes(texts: Iterable[str], *, fields: bool = False) -> tuple[np.ndarray, ...]:
    """Character tokens of many texts at once: ``(codes, doc)``, one entry per token, ``doc``
    the position of its text, and with ``fields`` the field of each token (normalised texts,
    see :func:`char_text`). A character is its code point (framing characters dropped), a
    bigram ``(first << 21) | second`` (≥ 2**21, so never equal to a character); white space,
    punctuation and the marks separate pieces."""
    joined = _DOC.join(texts) + _DOC
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    doc = np.cumsum(cp == 0) - (cp == 0)  # the text each position belongs to
    is_sep = _classify(cp)
    uni = ~is_sep & ~_STOP_CHAR[cp]
    pair = ~is_sep[:-1] & ~is_sep[1:]
    first = cp[:-1][pair].astype(np.int64)
    bigram = (first << 21) | cp[1:][pair].astype(np.int64)
    codes = np.concatenate([cp[uni].astype(np.int64), bigram])
    docs = np.concatenate([doc[uni], doc[:-1][pair]])
    if fields:
        field = _field_of(cp)
        return codes, docs, np.concatenate([field[uni], field[:-1][pair]])
    return codes, docs


def query_char_codes(text: str, extra: Iterable[str] = ()) -> np.ndarray:
    """Character tokens of a (normalised) query with its framing removed, plus those of
    ``extra`` pieces (synonym expansions)."""
    codes, _ = char_codes([_SEGMENT.join([strip_framing(text), *extra])])
    return codes
