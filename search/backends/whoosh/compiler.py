"""Compile a query tree (search.querylang) into the Whoosh query the archive's parser used to build.

The tree is engine-neutral; this is where Whoosh's reading of it lives: each word is analysed
the way its field analyses it (stemming and stop words per language), a word of several tokens
becomes a phrase, and the whole query is read once per language field and the readings joined
with OR (search.backends.whoosh.reference.AnyLanguageParser says why). Every step mirrors what Whoosh's
syntax nodes did when its parser read the same text (whoosh/qparser/syntax.py: which parts
vanish when a stop word leaves nothing, which stay as empty groups), so the result is equal,
query for query, to what Whoosh's own parser returned (search.backends.whoosh.reference);
tests/test_querylang.py checks that.
"""

from __future__ import annotations

import datetime as dt

from whoosh import query as wq
from whoosh.util.times import datetime_to_long

from search import querylang as ql
from search.backends.whoosh.schema import QUERY_FIELDS


class _Compiler:
    """Builds the query one language field's parser built, before normalize()."""

    def __init__(self, schema, default_field: str, match_all: bool) -> None:
        self.schema = schema
        self.default_field = default_field
        self.group = wq.And if match_all else wq.Or

    def compile(self, node: ql.Node, boost: float = 1.0) -> wq.Query | None:
        if isinstance(node, ql.Boost):
            return self.compile(node.child, node.factor)
        if isinstance(node, ql.LEAVES):
            if node.field is None:
                # An unfielded word is an OR over the default fields (here one); the boost is the OR's.
                found = self.leaf(node, self.default_field, 1.0)
                return wq.Or([found] if found is not None else [], boost=boost)
            return self.leaf(node, QUERY_FIELDS[node.field], boost)
        if isinstance(node, ql.DateRange):
            return date_range(node, boost)
        if isinstance(node, ql.Everything):
            return wq.Every()
        if isinstance(node, ql.Not):
            child = self.compile(node.child)
            return wq.Not(child) if child else None
        if isinstance(node, ql.AndNot):
            positive, negative = self.compile(node.positive), self.compile(node.negative)
            # As Whoosh's BinaryGroup: a side that is None (not merely an empty group) leaves the other.
            if positive is None:
                return wq.NullQuery if negative is None else negative
            if negative is None:
                return positive
            return wq.AndNot(positive, negative)
        children = [found for found in map(self.compile, node.children) if found is not None]
        if isinstance(node, ql.Group):
            return self.group(children, boost=boost)
        return (wq.Or if isinstance(node, ql.Or) else wq.And)(children, boost=boost)

    def leaf(self, leaf: ql.Leaf, fieldname: str, boost: float) -> wq.Query | None:
        if isinstance(leaf, ql.Phrase):
            field = self.schema[fieldname]
            words = [token.text for token in field.tokenize(leaf.text, mode="query", chars=True)]
            return wq.Phrase(fieldname, words, slop=leaf.slop, boost=boost)
        if isinstance(leaf, ql.Word):
            return self.term(fieldname, leaf.text, wq.Term, boost, tokenize=True)
        if isinstance(leaf, ql.Prefix):
            return self.term(fieldname, leaf.text, wq.Prefix, boost, tokenize=False)
        if isinstance(leaf, ql.Wildcard):
            return self.term(fieldname, leaf.pattern, wq.Wildcard, boost, tokenize=False)
        found = self.term(fieldname, leaf.text, wq.FuzzyTerm, boost, tokenize=False)
        if found is not None:
            found.maxdist, found.prefixlength = leaf.max_edits, leaf.prefix_length
        return found

    def term(self, fieldname: str, text: str, termclass, boost: float, tokenize: bool) -> wq.Query | None:
        """Whoosh's QueryParser.term_query: words are tokenized without stop words; patterns are taken whole."""
        field = self.schema[fieldname]
        texts = list(field.process_text(text, mode="query", tokenize=tokenize, removestops=tokenize))
        if not texts:
            return None  # a stop word
        if len(texts) == 1:
            return termclass(fieldname, texts[0], boost=boost)
        spec = field.multitoken_query.lower()
        if spec == "first":
            return termclass(fieldname, texts[0], boost=boost)
        if spec == "phrase":
            return wq.Phrase(fieldname, texts, boost=boost)
        group = {"default": self.group, "and": wq.And, "or": wq.Or}[spec]
        return group([termclass(fieldname, token, boost=boost) for token in texts])


def date_range(node: ql.DateRange, boost: float = 1.0) -> wq.Query:
    """The date field's range, as Whoosh's DATETIME field built it: first microsecond to last, inclusive."""
    if node.start is None and node.end is None:
        return wq.Every(ql.DATE, boost=boost)
    start = datetime_to_long(dt.datetime.combine(node.start, dt.time.min)) if node.start else None
    end = datetime_to_long(dt.datetime.combine(node.end, dt.time.max)) if node.end else None
    return wq.NumericRange(QUERY_FIELDS[ql.DATE], start, end, boost=boost)


def compile_query(node: ql.Node, schema, fields: list[str], match_all: bool = True) -> wq.Query:
    """Return the Whoosh query for a tree, read once per field in `fields` and joined with OR.

    `fields` are content fields (schema.CONTENT_FIELDS); adjacent terms are all required
    unless match_all is False (ranking long natural-language questions, as bench/relevance.py does).
    """
    if isinstance(node, ql.Everything):
        return wq.Every()
    readings: list[wq.Query] = []
    for field in fields:
        reading = _Compiler(schema, field, match_all).compile(node)
        reading = (reading if reading else wq.NullQuery).normalize()
        if reading is not wq.NullQuery and reading not in readings:
            readings.append(reading)
    if not readings:
        return wq.NullQuery
    return readings[0] if len(readings) == 1 else wq.Or(readings)


def check_expansions(tree: ql.Node, schema, reader, fields: list[str], limit: int) -> None:
    """Raise QueryTooBroad when a prefix, wildcard or fuzzy word stands for more than `limit` indexed words.

    Counted per field it is searched in, as Whoosh expands it (each expanded word is searched).
    """
    for pattern in ql.patterns(tree):
        compiled = compile_query(pattern, schema, fields)
        for node in compiled.leaves():
            # Wildcards, prefixes, fuzzy words and term ranges expand to indexed words; numeric ranges do not.
            if isinstance(node, wq.MultiTerm) and not isinstance(node, wq.NumericRange):
                for count, _ in enumerate(node._btexts(reader), start=1):  # noqa: SLF001 - Whoosh's expansion
                    if count > limit:
                        raise ql.too_broad(pattern, limit)
