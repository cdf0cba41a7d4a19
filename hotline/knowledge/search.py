"""Search over published articles: bm25s over the project's tokens, with synonyms, field boosts
and a validity/audience filter.

Pipeline (docs/KNOWLEDGE.md): the query is normalised, expanded with the synonym groups it
touches, cut into words (the one tokeniser, ``hotline.triage.tokenize``) and character bigrams;
bm25s scores every live article, a mask drops those not valid at ``at`` or not for the audience,
and the top hits come back with the matched words for highlighting.

Each process keeps one in-memory :class:`SearchIndex`. Before every search it reads the one-row
:class:`~hotline.knowledge.models.IndexStamp`; when another process has published or retired an
article the stamp differs and the index is rebuilt. Tokens of each version are cached per
process (versions are immutable), and the BM25 matrix is computed with numpy, so a rebuild after
one publish costs well under a second for 10,000 articles.
"""

from __future__ import annotations

import html
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import bm25s
import numpy as np
from django.utils import timezone

from hotline.triage.tokenize import char_ngrams, normalize, tokenize

from .choices import Audience, Validity

K1 = 1.2
B = 0.75
#: Title and tag words count this many times (a field boost by repetition).
TITLE_WEIGHT = 2
TAG_WEIGHT = 2
#: Bigrams and single characters are further views of the text, prefixed so they never collide
#: with a word.
BIGRAM_PREFIX = "#"
UNIGRAM_PREFIX = "~"
#: A top score below this is "searched but not found" for the policy team. Tuned on the demo
#: base (48 articles): all 70 evaluation and 19 of 20 held-out questions score above it, and so
#: do 4 of 13 off-topic questions. BM25 scores grow with the corpus's idf: revisit it when the
#: base grows.
FOUND_MIN_SCORE = 5.0
SNIPPET_CHARS = 90

#: Words that say nothing about the matter (how callers frame a question).
_STOPWORDS_TEXT = (
    "的 了 吗 呢 吧 啊 呀 嘛 哦 么 我 我们 你 你们 您 他 她 它 他们 是 在 "
    "有 和 与 或 就 都 也 要 会 能 可以 可不可以 能不能 能否 可否 怎么 怎么办 "
    "怎么样 怎样 如何 什么 啥 哪 哪里 哪儿 哪些 请问 问 问一下 一下 想 想问 "
    "想知道 知道 现在 这个 那个 这样 那样 还 还是 没 没有 不 一个 个 给 让 被 "
    "把 对 到 从 去 来 上 下 里 中 多少 几 吗？ 该 应该 需要 需不需要 要不要 "
    "得 着 过 又 再 才 已经 刚 刚刚 好 请 帮 帮忙 一直 时候 今天 明天 昨天 "
    "家里 自己 但是 因为 所以 如果 这 那 谁 等 了解 才能 咨询 一问 "
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
#: Multi-character framing phrases dropped before bigrams are cut from a query.
_FRAMING = sorted((w for w in STOPWORDS if len(w) >= 2), key=len, reverse=True)
_FRAMING_RE = re.compile("|".join(re.escape(w) for w in _FRAMING))


def content_words(text: str) -> list[str]:
    return [w for w in tokenize(text) if w not in STOPWORDS]


def bigrams(text: str) -> list[str]:
    """Character bigrams, then single characters (other than stopwords): the views of the text
    that survive words the dictionary cuts differently (冒烟 / 烟雾, 天然气 / 燃气)."""
    chars = char_ngrams(text, 1, 1)  # the normalised text without punctuation, as characters
    grams = [BIGRAM_PREFIX + a + b for a, b in pairwise(chars)]
    grams += [UNIGRAM_PREFIX + c for c in chars if c not in STOPWORDS]
    return grams


def document_tokens(title: str, tags: Sequence[str], body: str) -> list[str]:
    """The tokens one article is indexed by (title and tags repeated as a boost)."""
    tag_text = " ".join(tags or ())
    head = content_words(title) + bigrams(title)
    tag_tokens = content_words(tag_text) + bigrams(tag_text)
    return head * TITLE_WEIGHT + tag_tokens * TAG_WEIGHT + content_words(body) + bigrams(body)


@dataclass(frozen=True)
class Synonyms:
    """The active synonym groups, as normalised term tuples."""

    groups: tuple[tuple[str, ...], ...] = ()

    def expand(self, text: str) -> list[str]:
        """Terms of every group the (normalised) text contains, other than those it contains."""
        norm = normalize(text)
        extra: list[str] = []
        for group in self.groups:
            if any(term in norm for term in group):
                extra.extend(t for t in group if t not in norm and t not in extra)
        return extra


@dataclass
class Query:
    text: str
    words: list[str]
    expansions: list[str]
    tokens: list[str]


def parse_query(text: str, synonyms: Synonyms) -> Query:
    """Words, synonym expansions and bigrams of a query (framing phrases removed)."""
    norm = normalize(text)[:2000]
    expansions = synonyms.expand(norm)
    words = content_words(norm)
    for term in expansions:
        words.extend(w for w in content_words(term) if w not in words)
    stripped = _FRAMING_RE.sub(" ", norm)
    grams = bigrams(stripped)
    for term in expansions:
        grams.extend(bigrams(term))
    return Query(text=norm, words=words, expansions=expansions, tokens=words + grams)


@dataclass
class Hit:
    key: str
    title: str
    score: float
    category: str
    audience: str
    validity: str
    valid_from: object
    valid_until: object
    matched: list[str]
    snippet: str
    snippet_html: str
    title_html: str


@dataclass
class SearchResult:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    found: bool = False
    index_version: int = 0


def _epoch(value, default: float) -> float:
    return value.timestamp() if value is not None else default


@dataclass
class _Doc:
    key: str
    title: str
    body: str
    category: str
    audience: str
    valid_from: object
    valid_until: object
    words: frozenset[str]


class SearchIndex:
    """An immutable in-memory index of the live versions of published articles."""

    def __init__(
        self,
        docs: list[_Doc],
        token_ids: list[np.ndarray],
        vocab: dict[str, int],
        synonyms: Synonyms,
        version: int,
    ):
        self.docs = docs
        self.synonyms = synonyms
        self.version = version
        self.retriever = build_bm25(token_ids, vocab)
        self.valid_from = np.array([_epoch(d.valid_from, -math.inf) for d in docs], dtype=float)
        self.valid_until = np.array([_epoch(d.valid_until, math.inf) for d in docs], dtype=float)
        self.public = np.array([d.audience == Audience.PUBLIC for d in docs], dtype=bool)
        self._plain: dict[int, tuple[str, str]] = {}  # snippets' source text, filled lazily

    def __len__(self) -> int:
        return len(self.docs)

    def search(
        self,
        text: str,
        *,
        at=None,
        audience: str = Audience.AGENTS,
        limit: int = 5,
        include_expired: bool = False,
    ) -> SearchResult:
        at = at or timezone.now()
        if timezone.is_naive(at):
            at = timezone.make_aware(at)  # a time without offset is local (Asia/Shanghai)
        query = parse_query(text, self.synonyms)
        result = SearchResult(query=query, index_version=self.version)
        if not self.docs or not query.tokens:
            return result
        ids = self.retriever.get_tokens_ids(query.tokens)
        if not ids:
            return result
        scores = self.retriever.get_scores_from_ids(ids)
        mask = np.ones(len(self.docs), dtype=bool)
        if not include_expired:
            t = at.timestamp()
            mask &= (self.valid_from <= t) & (t < self.valid_until)
        if audience == Audience.PUBLIC:
            mask &= self.public
        scores = np.where(mask, scores, 0.0)
        limit = max(1, min(limit, len(self.docs)))
        top = (
            np.argpartition(-scores, limit - 1)[:limit]
            if limit < len(scores)
            else np.arange(len(scores))
        )
        top = top[np.argsort(-scores[top], kind="stable")]
        for i in top:
            score = float(scores[i])
            if score <= 0:
                break
            result.hits.append(self._hit(int(i), score, query, at))
        if result.hits:
            result.found = result.hits[0].score >= FOUND_MIN_SCORE
        return result

    def _hit(self, i: int, score: float, query: Query, at) -> Hit:
        doc = self.docs[i]
        matched = [w for w in dict.fromkeys(query.words) if len(w) >= 2 and w in doc.words]
        plain = self._plain.get(i)
        if plain is None:
            plain = self._plain[i] = plain_text(doc.body)
        snippet = make_snippet(doc.body, matched, plain=plain)
        return Hit(
            key=doc.key,
            title=doc.title,
            score=round(score, 4),
            category=doc.category,
            audience=doc.audience,
            validity=_validity(doc, at),
            valid_from=doc.valid_from,
            valid_until=doc.valid_until,
            matched=matched,
            snippet=snippet,
            snippet_html=highlight(snippet, matched),
            title_html=highlight(doc.title, matched),
        )


def _validity(doc: _Doc, at) -> str:
    if doc.valid_from is not None and at < doc.valid_from:
        return Validity.NOT_YET
    if doc.valid_until is not None and at >= doc.valid_until:
        return Validity.EXPIRED
    return Validity.VALID


def build_bm25(token_ids: list[np.ndarray], vocab: dict[str, int]) -> bm25s.BM25:
    """A bm25s retriever whose eager score matrix is computed with numpy (Lucene BM25, the same
    formula bm25s uses; tests compare both). bm25s builds it doc by doc in Python, which takes
    seconds for 10,000 articles; this takes a fraction of one."""
    retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
    n_docs = len(token_ids)
    n_vocab = max(len(vocab), 1)
    lengths = np.array([len(t) for t in token_ids], dtype=np.int64)
    if n_docs and lengths.sum():
        tokens = np.concatenate(token_ids).astype(np.int64)
        docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        pairs, tf = np.unique(tokens * n_docs + docs, return_counts=True)
        pair_token = pairs // n_docs
        pair_doc = pairs % n_docs
        df = np.bincount(pair_token, minlength=n_vocab).astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        avgdl = lengths.mean()
        norm = K1 * ((1 - B) + B * lengths[pair_doc] / avgdl)
        data = (idf[pair_token] * tf / (tf + norm)).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(pair_token, minlength=n_vocab))])
        indices = pair_doc.astype(np.int32)
    else:
        data = np.zeros(0, dtype=np.float32)
        indices = np.zeros(0, dtype=np.int32)
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    retriever.scores = {
        "data": data,
        "indices": indices,
        "indptr": indptr.astype(np.int64),
        "num_docs": n_docs,
    }
    retriever.vocab_dict = dict(vocab)
    retriever.unique_token_ids_set = set(vocab.values())
    retriever.nonoccurrence_array = None  # Lucene BM25 has no non-occurrence term
    return retriever


def plain_text(body: str) -> tuple[str, str]:
    """The body without Markdown marks, and its normalised form (for finding words)."""
    plain = re.sub(r"\s+", " ", re.sub(r"[#*>`_\-]+", " ", body)).strip()
    return plain, normalize(plain)


def make_snippet(
    body: str,
    matched: Iterable[str],
    size: int = SNIPPET_CHARS,
    plain: tuple[str, str] | None = None,
) -> str:
    """A plain-text window of the body around the first matched word."""
    plain, low = plain or plain_text(body)
    first = min((p for p in (low.find(w) for w in matched) if p >= 0), default=0)
    start = max(0, first - size // 4)
    text = plain[start : start + size]
    return ("…" if start else "") + text + ("…" if start + size < len(plain) else "")


def highlight(text: str, words: Iterable[str]) -> str:
    """HTML-escaped ``text`` with each occurrence of ``words`` wrapped in <mark>."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


# --- the per-process index, kept in step with the database ---------------------------------

_lock = threading.Lock()
_index: SearchIndex | None = None
_vocab: dict[str, int] = {}
_token_cache: dict[tuple[int, int], tuple[np.ndarray, frozenset[str]]] = {}


def current_stamp() -> int:
    from .models import IndexStamp

    return IndexStamp.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _ids(tokens: list[str]) -> np.ndarray:
    return np.fromiter(
        (_vocab.setdefault(t, len(_vocab)) for t in tokens), dtype=np.int32, count=len(tokens)
    )


def build_index(rows: Iterable[dict], synonyms: Synonyms, version: int = 0) -> SearchIndex:
    """An index of ``rows`` (dicts with a ``version_id`` and the content fields). Tokens are
    cached per version id, so a rebuild re-tokenises only new versions."""
    docs: list[_Doc] = []
    token_ids: list[np.ndarray] = []
    used: list[tuple[int, int]] = []
    for row in rows:
        # Versions are immutable; the content hash guards against a reused id (a rolled-back
        # transaction on SQLite gives its ids out again).
        cache_key = (row["version_id"], hash((row["title"], row["body"], tuple(row["tags"]))))
        cached = _token_cache.get(cache_key)
        if cached is None:
            tokens = document_tokens(row["title"], row["tags"], row["body"])
            words = frozenset(t for t in tokens if t[:1] not in (BIGRAM_PREFIX, UNIGRAM_PREFIX))
            cached = (_ids(tokens), words)
            _token_cache[cache_key] = cached
        used.append(cache_key)
        token_ids.append(cached[0])
        docs.append(
            _Doc(
                key=row["key"],
                title=row["title"],
                body=row["body"],
                category=row["category"],
                audience=row["audience"],
                valid_from=row["valid_from"],
                valid_until=row["valid_until"],
                words=cached[1],
            )
        )
    # Forget versions no longer live, so a long-running process does not grow without bound.
    for stale in set(_token_cache) - set(used):
        del _token_cache[stale]
    return SearchIndex(docs, token_ids, _vocab, synonyms, version)


def load_synonyms() -> Synonyms:
    from .models import SynonymGroup

    groups = []
    for terms in SynonymGroup.objects.filter(active=True).values_list("terms", flat=True):
        from .models import split_terms

        normed = tuple(dict.fromkeys(normalize(t) for t in split_terms(terms)))
        if len(normed) >= 2:
            groups.append(normed)
    return Synonyms(tuple(groups))


def load_rows() -> list[dict]:
    from .models import Article

    prefix = "live_version__"
    fields = ["key", "title", "body", "tags", "category", "audience", "valid_from", "valid_until"]
    rows = Article.objects.published().values(
        "key", "live_version_id", *[prefix + f for f in fields if f != "key"]
    )
    return [
        {
            "version_id": r["live_version_id"],
            "key": r["key"],
            **{f: r[prefix + f] for f in fields if f != "key"},
        }
        for r in rows.order_by("pk")
    ]


def get_index() -> SearchIndex:
    """This process's index, rebuilt first if the database stamp moved since it was built."""
    global _index
    stamp = current_stamp()
    index = _index
    if index is not None and index.version == stamp:
        return index
    with _lock:
        if _index is None or _index.version != stamp:
            _index = build_index(load_rows(), load_synonyms(), stamp)
        return _index


def reset() -> None:
    """Forget the in-memory index (tests)."""
    global _index
    with _lock:
        _index = None


def search(
    text: str,
    *,
    at=None,
    audience: str = Audience.AGENTS,
    limit: int = 5,
    include_expired: bool = False,
) -> SearchResult:
    """Search the live articles (see the module docstring)."""
    return get_index().search(
        text, at=at, audience=audience, limit=limit, include_expired=include_expired
    )


def suggest(
    appeal_text: str, *, at=None, audience: str = Audience.AGENTS, limit: int = 3
) -> SearchResult:
    """Articles for an appeal an agent is typing (or a resident is writing), with the matched
    words highlighted. The same pipeline as :func:`search`, fewer hits."""
    return search(appeal_text, at=at, audience=audience, limit=limit)
