"""Text normalisation for search and a small TF-IDF cosine similarity for "similar petitions" (stdlib only).

Kazakh and Russian are heavily inflected (Kazakh is agglutinative), so words are cut to a fixed-length prefix
("автобустар", "автобустың" → "автоб"): crude, but it needs no dictionary and works the same for both languages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: Folded so that spelling variants meet: ё/е, and Kazakh letters typed with their Russian look-alikes.
_FOLD = str.maketrans(
    {"ё": "е", "һ": "х", "і": "и", "ұ": "у", "ү": "у", "қ": "к", "ғ": "г", "ң": "н", "ә": "а", "ө": "о"}
)
STEM_LENGTH = 5
STOP_WORDS = frozenset(
    [
        "и",
        "в",
        "во",
        "на",
        "не",
        "что",
        "с",
        "со",
        "по",
        "к",
        "ко",
        "для",
        "от",
        "до",
        "из",
        "за",
        "о",
        "об",
        "а",
        "но",
        "или",
        "же",
        "бы",
        "ли",
        "это",
        "как",
        "так",
        "также",
        "то",
        "при",
        "все",
        "его",
        "ее",
        "их",
        "мы",
        "вы",
        "они",
        "он",
        "она",
        "оно",
        "нас",
        "вам",
        "там",
        "тут",
        "уже",
        "еще",
        "просим",
        "прошу",
        "требуем",
        "акимат",
        "акимата",
        "города",
        "район",
        "района",
        "г",
        "және",
        "мен",
        "да",
        "де",
        "бен",
        "пен",
        "үшін",
        "бұл",
        "осы",
        "сол",
        "жоқ",
        "бар",
        "біз",
        "сіз",
        "олар",
        "ол",
        "туралы",
        "арқылы",
        "қала",
        "қаласы",
        "ауданы",
        "әкімдік",
        "әкімдігі",
        "сұраймыз",
        "талап",
        "етеміз",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "is",
        "are",
        "be",
        "this",
        "that",
        "we",
        "please",
        "city",
        "district",
        "akimat",
    ]
)


def normalise(text: str) -> str:
    """Lower-case, fold look-alike letters and collapse spaces: the form stored for search and compared to queries."""
    text = unicodedata.normalize("NFC", text or "").lower().translate(_FOLD)
    return " ".join(_WORD.findall(text))


def tokens(text: str) -> list[str]:
    """Stemmed content words of a text."""
    words = normalise(text).split()
    stop = {normalise(w) for w in STOP_WORDS}
    return [w[:STEM_LENGTH] for w in words if len(w) > 2 and w not in stop and not w.isdigit()]


def _weights(counts: Counter, idf: dict[str, float]) -> dict[str, float]:
    vector = {term: (1 + math.log(n)) * idf.get(term, 0.0) for term, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {term: v / norm for term, v in vector.items()}


def rank_similar(
    query: str, documents: Sequence[tuple[int, str]], limit: int = 5, min_score: float = 0.12
) -> list[tuple[int, float]]:
    """Rank ``(id, text)`` documents by TF-IDF cosine similarity to ``query``; best ``limit`` above ``min_score``."""
    query_counts = Counter(tokens(query))
    if not query_counts or not documents:
        return []
    doc_counts = [(doc_id, Counter(tokens(text))) for doc_id, text in documents]
    idf = _idf([counts for _id, counts in doc_counts] + [query_counts])
    query_vector = _weights(query_counts, idf)
    scored = []
    for doc_id, counts in doc_counts:
        vector = _weights(counts, idf)
        score = sum(weight * vector.get(term, 0.0) for term, weight in query_vector.items())
        if score >= min_score:
            scored.append((doc_id, round(score, 3)))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:limit]


def _idf(collection: Iterable[Counter]) -> dict[str, float]:
    collection = list(collection)
    document_frequency: Counter = Counter()
    for counts in collection:
        document_frequency.update(counts.keys())
    total = len(collection)
    return {term: math.log((1 + total) / (1 + df)) + 1 for term, df in document_frequency.items()}
