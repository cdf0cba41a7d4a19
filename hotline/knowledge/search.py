"""Search over published articles: three BM25 views of every article (words, characters,
character bigrams) fused by a weighted sum, with synonyms, field weights and a
validity/audience filter.

Pipeline (docs/KNOWLEDGE.md): the query is normalised and expanded with the synonym groups it
touches; its words (the one tokeniser) and characters (framing removed) are scored against the
three indexes of the live articles (``analysis``), what the expansions add at a lower weight; a
mask drops articles not valid at ``at`` or not for the audience, and the top hits come back
with the matched words for highlighting.

Each process keeps one in-memory :class:`SearchIndex`. Before every search it reads the one-row
:class:`~hotline.knowledge.models.IndexStamp`; when another process has published or retired an
article the stamp differs and the index is rebuilt. A build never runs the tokeniser over an
article: the words of each version were cut when it was written and are stored on it
(``ArticleVersion.search_tokens``; cut again only when the token scheme changed), words are
hashed and characters cut for all articles at once with numpy, and the BM25 matrices are
computed with numpy and scipy.
"""

from __future__ import annotations

import gc
import html
import logging
import math
import re
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

import bm25s
import numpy as np
import scipy.sparse as sp
from django.db import DatabaseError, transaction
from django.utils import timezone

from hotline.triage.tokenize import normalize

from . import analysis
from .analysis import content_words
from .choices import CONTENT_FIELDS, Audience, Validity

log = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
#: How much an occurrence in each field counts in the word view and in the character views
#: (a term-frequency weight: 2 scores as two occurrences). The similar questions (常见问法)
#: are written in callers' words, so they count as much as the title.
WORD_FIELD_WEIGHTS = {"title": 2, "tags": 2, "questions": 2, "body": 1}
CHAR_FIELD_WEIGHTS = {"title": 2, "tags": 2, "questions": 2, "body": 1}
#: The fused score: WORD_WEIGHT × word BM25 + CHAR_WEIGHT × character BM25 + BIGRAM_WEIGHT ×
#: character-bigram BM25 (each view its own index: its own idf and length normalisation).
WORD_WEIGHT = 1.0
CHAR_WEIGHT = 1.5
BIGRAM_WEIGHT = 0.5
#: What the synonym expansions of a query add counts this much of what its own words do.
EXPANSION_WEIGHT = 0.5
#: A top score below this is "searched but not found" for the policy team. Tuned on the demo
#: base (48 articles, fused score): all 70 main and all 20 held-out evaluation questions score
#: above it (the lowest 6.7), and so do 6 of 15 off-topic questions written to check it (社保卡,
#: 学区, 拒载 …; the highest below it 5.7). BM25 scores grow with the corpus's idf: revisit it
#: when the base grows.
FOUND_MIN_SCORE = 6.0
SNIPPET_CHARS = 90


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
    """A parsed query: the caller's words and character tokens, and the tokens its synonym
    expansions add (scored at a lower weight)."""

    text: str
    words: list[str]
    expansions: list[str]
    char_codes: np.ndarray
    extra_words: list[str] = field(default_factory=list)
    extra_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def all_words(self) -> list[str]:
        return self.words + self.extra_words


def parse_query(text: str, synonyms: Synonyms) -> Query:
    """Words and character tokens of a query (framing removed), with synonym expansions."""
    norm = normalize(text)[:2000]
    expansions = synonyms.expand(norm)
    words = list(dict.fromkeys(content_words(norm)))
    codes = analysis.query_char_codes(norm)
    extra_words: list[str] = []
    for term in expansions:
        extra_words.extend(w for w in content_words(term) if w not in words + extra_words)
    extra_codes = analysis.query_char_codes("", expansions) if expansions else codes[:0]
    extra_codes = extra_codes[~np.isin(extra_codes, codes)]
    return Query(norm, words, expansions, codes, extra_words, extra_codes)


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
    #: The best hit shares no word with the query: the page says "no match" instead of hits.
    no_match: bool = False
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
    word_text: str


def _field_weights(weights: dict[str, int]) -> np.ndarray:
    return np.array([weights[f] for f in analysis.FIELDS], dtype=np.float32)


def _lookup(vocab: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Positions in the sorted ``vocab`` of the ``keys`` it holds (the others dropped)."""
    if not len(vocab) or not len(keys):
        return np.zeros(0, dtype=np.int64)
    pos = np.searchsorted(vocab, keys).clip(max=len(vocab) - 1)
    return pos[vocab[pos] == keys]


class SearchIndex:
    """An immutable in-memory index of the live versions of published articles: three views
    (words, characters, character bigrams), each a bm25s retriever whose matrix was computed
    with numpy and scipy."""

    def __init__(
        self, docs: list[_Doc], prepared: list[_Prepared], synonyms: Synonyms, version: int
    ):
        self.docs = docs
        self.synonyms = synonyms
        self.version = version
        n = len(docs)
        hashes, word_docs, word_fields = analysis.word_hashes(
            [p.word_text for p in prepared], fields=True
        )
        self.word_vocab = np.unique(hashes)
        self.retriever = bm25_from_arrays(
            np.searchsorted(self.word_vocab, hashes),
            word_docs,
            n,
            len(self.word_vocab),
            _field_weights(WORD_FIELD_WEIGHTS)[word_fields],
        )
        codes, code_docs, code_fields = analysis.char_codes(
            [p.char_text for p in prepared], fields=True
        )
        weights = _field_weights(CHAR_FIELD_WEIGHTS)[code_fields]
        self.char_vocab = np.unique(codes)
        char_ids = np.searchsorted(self.char_vocab, codes)
        # Characters and bigrams are two views with their own length normalisation: a bigram
        # id is at or above n_chars (codes sort characters first).
        self.n_chars = int(np.searchsorted(self.char_vocab, analysis.BIGRAM_BASE))
        is_char = char_ids < self.n_chars
        self.char_retriever = bm25_from_arrays(
            char_ids[is_char], code_docs[is_char], n, self.n_chars, weights[is_char]
        )
        self.bigram_retriever = bm25_from_arrays(
            char_ids[~is_char] - self.n_chars,
            code_docs[~is_char],
            n,
            len(self.char_vocab) - self.n_chars,
            weights[~is_char],
        )
        self.valid_from = np.array([_epoch(d.valid_from, -math.inf) for d in docs], dtype=float)
        self.valid_until = np.array([_epoch(d.valid_until, math.inf) for d in docs], dtype=float)
        self.public = np.array([d.audience == Audience.PUBLIC for d in docs], dtype=bool)
        self._plain: dict[int, tuple[str, str]] = {}  # snippets' source text, filled lazily

    def __len__(self) -> int:
        return len(self.docs)

    def _view_scores(self, words: list[str], codes: np.ndarray) -> np.ndarray:
        """The weighted sum of the three views' BM25 scores of every article."""
        scores = np.zeros(len(self.docs), dtype=np.float64)
        if words:
            word_ids = _lookup(self.word_vocab, analysis.word_hashes([" ".join(words)])[0])
            if len(word_ids):
                scores += WORD_WEIGHT * self.retriever.get_scores_from_ids(word_ids)
        char_ids = _lookup(self.char_vocab, codes)
        chars, grams = char_ids[char_ids < self.n_chars], char_ids[char_ids >= self.n_chars]
        if len(chars):
            scores += CHAR_WEIGHT * self.char_retriever.get_scores_from_ids(chars)
        if len(grams):
            scores += BIGRAM_WEIGHT * self.bigram_retriever.get_scores_from_ids(
                grams - self.n_chars
            )
        return scores

    def scores(self, query: Query) -> np.ndarray:
        """The fused score of every article (before the validity and audience mask): the
        caller's own words at full weight, what synonyms added at EXPANSION_WEIGHT."""
        scores = self._view_scores(query.words, query.char_codes)
        if query.expansions:
            scores += EXPANSION_WEIGHT * self._view_scores(query.extra_words, query.extra_codes)
        return scores

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
        if not self.docs or not (query.all_words or len(query.char_codes)):
            return result
        scores = self.scores(query)
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
            # Relative to the query, not only to a score: when the best article contains none
            # of the query's words of two or more characters (or their synonyms), the score
            # came from stray characters ("阿巴阿巴" sharing 阿 with a place name) and nothing
            # was found, however high it is.
            top = result.hits[0]
            result.no_match = not top.matched and any(len(w) >= 2 for w in query.all_words)
            result.found = top.score >= FOUND_MIN_SCORE and not result.no_match
        return result

    def _hit(self, i: int, score: float, query: Query, at) -> Hit:
        doc = self.docs[i]
        words = set(doc.word_text.replace(analysis.FIELD_MARK, " ").split())
        matched = [w for w in query.all_words if len(w) >= 2 and w in words]
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
    """A bm25s retriever of documents given as token-id arrays, its eager score matrix computed
    with numpy (Lucene BM25, the same formula bm25s uses; tests compare both). bm25s builds it
    doc by doc in Python, which takes seconds for 10,000 articles; this a fraction of one."""
    lengths = np.array([len(t) for t in token_ids], dtype=np.int64)
    tokens = np.concatenate(token_ids).astype(np.int64) if len(token_ids) else np.zeros(0, np.int64)
    docs = np.repeat(np.arange(len(token_ids), dtype=np.int64), lengths)
    retriever = bm25_from_arrays(tokens, docs, len(token_ids), max(len(vocab), 1))
    retriever.vocab_dict = dict(vocab)
    retriever.unique_token_ids_set = set(vocab.values())
    return retriever


def bm25_from_arrays(
    tokens: np.ndarray,
    docs: np.ndarray,
    n_docs: int,
    n_vocab: int,
    weights: np.ndarray | None = None,
) -> bm25s.BM25:
    """A bm25s retriever from one entry per token occurrence (token id, document position,
    optionally a weight: an occurrence of weight 2 counts as two, which is how fields are
    boosted).

    The term frequencies are a sparse token × document matrix (scipy sums the repeated entries
    without a global sort); its CSR arrays are exactly bm25s's eager score layout."""
    retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
    n_vocab = max(n_vocab, 1)
    if n_docs and len(tokens):
        if weights is None:
            weights = np.ones(len(tokens), dtype=np.float32)
        elif not weights.all():  # a field of weight 0 is not indexed at all (no df either)
            keep = weights > 0
            tokens, docs, weights = tokens[keep], docs[keep], weights[keep]
        # 32-bit indices: scipy builds the matrix several times faster than from 64-bit ones.
        rows, cols = tokens.astype(np.int32, copy=False), docs.astype(np.int32, copy=False)
        counts = sp.csr_matrix((weights, (rows, cols)), shape=(n_vocab, n_docs))
        counts.sum_duplicates()
        indptr = counts.indptr.astype(np.int64)
        indices = counts.indices.astype(np.int32)
        tf = counts.data.astype(np.float64)
        df = np.diff(indptr).astype(np.float64)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        lengths = np.bincount(docs, weights=weights, minlength=n_docs)
        norm = K1 * ((1 - B) + B * lengths[indices] / (lengths.mean() or 1.0))
        data = (np.repeat(idf, np.diff(indptr)) * tf / (tf + norm)).astype(np.float32)
    else:
        data = np.zeros(0, dtype=np.float32)
        indices = np.zeros(0, dtype=np.int32)
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    retriever.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n_docs}
    retriever.vocab_dict = {}
    retriever.unique_token_ids_set = set()
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


@dataclass(frozen=True)
class _Prepared:
    """What a build needs of one version, kept per process (versions are immutable)."""

    word_text: str  # its words, field after field (analysis.word_text)
    char_text: str  # its normalised text, field after field (analysis.char_text)


_token_cache: dict[tuple[int, int], _Prepared] = {}


def current_stamp() -> int:
    from .models import IndexStamp

    return IndexStamp.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _content_hash(row: dict) -> int:
    return hash((row["title"], row["body"], tuple(row["tags"]), tuple(row.get("questions") or ())))


def _prepare(row: dict, words: dict) -> _Prepared:
    segments = analysis.field_segments(
        row["title"], row["tags"], row.get("questions") or (), row["body"]
    )
    return _Prepared(
        word_text=analysis.word_text(words),
        char_text=analysis.char_text(segments),
    )


def build_index(
    rows: Iterable[dict], synonyms: Synonyms, version: int = 0, *, restale: list | None = None
) -> SearchIndex:
    """An index of ``rows`` (dicts with a ``version_id``, the content fields and, optionally,
    the version's stored ``search_tokens``). Stored words of the current scheme are used as
    they are; otherwise the row is tokenised, and ``(version_id, tokens)`` appended to
    ``restale`` for the caller to store. Prepared rows are cached per version id."""
    scheme = analysis.token_scheme()
    rows = list(rows)
    # Versions are immutable; the content hash guards against a reused id (a rolled-back
    # transaction on SQLite gives its ids out again).
    cache_keys = [(row["version_id"], _content_hash(row)) for row in rows]
    pending: list[tuple[dict, dict]] = []
    pending_keys = []
    for row, cache_key in zip(rows, cache_keys, strict=True):
        if cache_key in _token_cache:
            continue
        words = analysis.usable_words(row.get("search_tokens"), scheme)
        if words is None:
            words = analysis.field_words(
                row["title"], row["tags"], row.get("questions") or (), row["body"]
            )
            if restale is not None:
                restale.append((row["version_id"], {"scheme": scheme, "words": words}))
        pending.append((row, words))
        pending_keys.append(cache_key)
    for cache_key, (row, words) in zip(pending_keys, pending, strict=True):
        _token_cache[cache_key] = _prepare(row, words)
    prepared = [_token_cache[k] for k in cache_keys]
    # Forget versions no longer live, so a long-running process does not grow without bound.
    for stale in set(_token_cache).difference(cache_keys):
        del _token_cache[stale]
    docs = [
        _Doc(
            key=row["key"],
            title=row["title"],
            body=row["body"],
            category=row["category"],
            audience=row["audience"],
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
            word_text=entry.word_text,
        )
        for row, entry in zip(rows, prepared, strict=True)
    ]
    return SearchIndex(docs, prepared, synonyms, version)


def load_synonyms() -> Synonyms:
    from .models import SynonymGroup, split_terms

    groups = []
    for terms in SynonymGroup.objects.filter(active=True).values_list("terms", flat=True):
        normed = tuple(dict.fromkeys(normalize(t) for t in split_terms(terms)))
        if len(normed) >= 2:
            groups.append(normed)
    return Synonyms(tuple(groups))


#: What search reads of a live version: its content without the source of the notice.
ROW_FIELDS = tuple(f for f in CONTENT_FIELDS if not f.startswith("source_"))
#: Above this many versions missing from the per-process cache, their stored tokens are read
#: with the rows (one query) rather than by id (SQLite limits the parameters of a query).
_BY_ID_LIMIT = 500


def load_rows() -> list[dict]:
    """The live versions of the published articles, with the stored tokens of those this
    process has not prepared yet."""
    from .models import Article, ArticleVersion

    prefix = "live_version__"
    published = Article.objects.published().order_by("pk")
    cold = len(_token_cache) < _BY_ID_LIMIT
    columns = [prefix + f for f in ROW_FIELDS]
    if cold:
        columns.append(prefix + "search_tokens")
    rows = [
        {
            "version_id": r["live_version_id"],
            "key": r["key"],
            **{f: r[prefix + f] for f in ROW_FIELDS},
            "search_tokens": r.get(prefix + "search_tokens"),
        }
        for r in published.values("key", "live_version_id", *columns)
    ]
    if not cold:
        cached = {vid for vid, _ in _token_cache}
        missing = [r for r in rows if r["version_id"] not in cached]
        if len(missing) > _BY_ID_LIMIT:
            return _with_all_tokens(rows)
        stored = dict(
            ArticleVersion.objects.filter(pk__in=[r["version_id"] for r in missing]).values_list(
                "pk", "search_tokens"
            )
        )
        for r in missing:
            r["search_tokens"] = stored.get(r["version_id"])
    return rows


def _with_all_tokens(rows: list[dict]) -> list[dict]:
    from .models import Article

    stored = dict(
        Article.objects.published().values_list("live_version_id", "live_version__search_tokens")
    )
    for r in rows:
        r["search_tokens"] = stored.get(r["version_id"])
    return rows


def _write_tokens(pairs: list[tuple[int, dict]]) -> None:
    from .models import ArticleVersion

    objs = [ArticleVersion(pk=pk, search_tokens=tokens) for pk, tokens in pairs]
    with transaction.atomic():
        ArticleVersion.objects.bulk_update(objs, ["search_tokens"], batch_size=200)


def store_tokens(pairs: list[tuple[int, dict]]) -> int:
    """Store freshly cut tokens on their versions (a derived copy of immutable content, so
    rewriting it never changes what a version says). Best effort: a database that refuses the
    write now (a busy SQLite file, a read-only connection) is tried again at the next build."""
    if not pairs:
        return 0
    try:
        _write_tokens(pairs)
    except DatabaseError:
        log.warning("could not store the search tokens of %d versions", len(pairs))
        return 0
    return len(pairs)


def refresh_stored_tokens(batch_size: int = 500) -> int:
    """Cut and store the tokens of every version whose stored tokens are missing or of another
    scheme (after a tokeniser change; search does it lazily, live versions only). Returns the
    number of versions written."""
    from .models import ArticleVersion

    scheme = analysis.token_scheme()
    pks = list(ArticleVersion.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(pks), batch_size):
        versions = ArticleVersion.objects.filter(pk__in=pks[start : start + batch_size]).only(
            "title", "tags", "questions", "body", "search_tokens"
        )
        stale = [
            (v.pk, analysis.stored_tokens(v.title, v.tags, v.questions, v.body))
            for v in versions
            if analysis.usable_words(v.search_tokens, scheme) is None
        ]
        if stale:
            _write_tokens(stale)
            written += len(stale)
    return written


@contextmanager
def gc_paused():
    """Loading and indexing allocates some 100,000 objects that all stay alive; the cyclic
    garbage collector's passes over them while they are made are wasted work (a third of a
    cold build). Paused for the build only, then back as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def get_index() -> SearchIndex:
    """This process's index, rebuilt first if the database stamp moved since it was built."""
    global _index
    stamp = current_stamp()
    index = _index
    if index is not None and index.version == stamp:
        return index
    with _lock:
        if _index is None or _index.version != stamp:
            restale: list[tuple[int, dict]] = []
            with gc_paused():
                _index = build_index(load_rows(), load_synonyms(), stamp, restale=restale)
            store_tokens(restale)
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
    words highlighted. The same pipeline as :func:`search`, fewer hits, and none that shares
    no word with the appeal (a suggestion an agent cannot see the point of is noise)."""
    result = search(appeal_text, at=at, audience=audience, limit=limit)
    result.hits = [h for h in result.hits if h.matched]
    return result
