"""The archive's query language, read once into a small engine-neutral tree that each search engine compiles.

Queries used to be read by Whoosh's own parser, so a Whoosh query object was the only form a
query had. With a second engine the language has to be ours: `parse()` reads the text into the
frozen nodes below, `describe()` reads a tree back ("read as ..." on the page) without asking
any engine, and each engine compiles the tree (search/backends/whoosh/compiler.py for Whoosh).

The reading reproduces the Whoosh parser configuration the archive used
(search/backends/whoosh/reference.py: fields, `-`/`+` only at the start of a term, fuzzy `~`),
step for step, because people's saved searches and links must keep finding the same articles:
adjacent terms are joined by the default operator (`Group`: all required, or any when an engine
compiles with match_all=False),
NOT binds tightest, then AND, then OR, then ANDNOT, then the juxtaposition of terms; a `-term`
is taken out of the whole group it stands in (`a OR b -c` is (a OR b) minus c). Words are kept
as typed: engines analyse them per field (stemming, stop words), and a word that analyses into
several tokens (`Iran-backed`) is a phrase.

Kept from Whoosh's undocumented syntax, because it was cheap to keep exactly:
- `ANDNOT` (an infix `AndNot`, binding looser than OR);
- `'single quoted words'` (one `Word` of the quoted text, so a phrase with stop words removed);
- `*:*` (`Everything`);
- `word^2`, `"a phrase"^2`, `(a group)^2` (a `Boost`: it changes ranking, so it had meaning);
- fuzzy prefix lengths `Viena~2/3` and term edit distances `~0`..`~9`.

Deliberately different from the Whoosh reading (tests/test_querylang.py lists each with an example):
- `ANDMAYBE` and `REQUIRE` are ordinary words (they were Whoosh operators).
- `+word` means the word is required. Whoosh made the *other* terms optional (`+Blinken Baghdad`
  found articles without Baghdad); now `+a b` is `a b`, and with match_all=False the + words are
  required and at least one of the others.
- `-word` and `+word` work inside parentheses: `x (a -b)` was an error ("cannot read the query").
- Operators with nothing to act on vanish instead of failing: `NOT NOT a` reads `a`,
  `a ANDNOT ANDNOT b` reads `a b`.
- `[a TO b]` is a range only right after `date:`; elsewhere it is ordinary words (Whoosh made a
  term range of any field). A `date:` range takes YYYY, YYYY-MM or YYYY-MM-DD at either end, or
  nothing for an open end, and anything else is a syntax error with its column (Whoosh accepted
  `20240101`, misread `2024-6` as the year 2024 and failed on `2024-1-5` without a column).
- A `date:` value ends at a parenthesis: `(Iraq date:2024)` was an error ("'2024)' is not a date").
- `-date:...` and `+date:...` are read like any `date:` term. Whoosh read them with its own date
  parser: `x -date:>2024-08` and `x -date:soon` excluded nothing, and `-date:2024-2` meant all of 2024.
- `date:` is a field only where it starts a term (not glued to a preceding word, as in
  `x.date:2024`); index fields that are not query fields (`body:`, `content:`) are never fields.
  A `date:` inside single quotes is plain text.
- A boost applies to what it follows only. Whoosh let `a^2 OR b` and `(a b)^2 AND c` pass the boost
  on to the whole OR / AND (so `a^2 OR b` ranked exactly like `a OR b`), and in parentheses nested
  as an operand its normalisation could keep or drop a boost on the left of an ANDNOT depending on
  how it had merged groups (`((a ANDNOT b c^0.5)^3) OR d` with match_all=False).
- A stray `^2` inside parentheses after an operator is an ordinary word (Whoosh searched it in no field).
- `describe()` normalises fielded words the neutral way (lower-cased and folded) instead of with
  each field's own analyzer, so `title:attacks` reads `title:attacks` (was `title:attack`), a
  fielded stop word stays, and a fielded word of several tokens reads as a phrase. A fuzzy prefix
  length is shown (`viena~2/3`), and a pattern that is too broad is named as typed (lower-cased
  and folded, not stemmed) in the error message.
"""

from search.querylang.dates import date_period
from search.querylang.describe import describe, too_broad
from search.querylang.parser import parse
from search.querylang.syntax import check_syntax
from search.querylang.tree import (
    DATE,
    LEAVES,
    MATCH_EVERYTHING,
    MAX_EXPANSIONS,
    MAX_NESTING,
    MAX_QUERY_CHARS,
    NOTHING_SEARCHABLE,
    QUERY_FIELD_NAMES,
    TEXT_FIELDS,
    And,
    AndNot,
    Boost,
    DateRange,
    Everything,
    Fuzzy,
    Group,
    Leaf,
    Node,
    Not,
    Or,
    Pattern,
    Phrase,
    Prefix,
    Wildcard,
    Word,
    leaves,
    patterns,
)

__all__ = [
    "DATE",
    "LEAVES",
    "MATCH_EVERYTHING",
    "MAX_EXPANSIONS",
    "MAX_NESTING",
    "MAX_QUERY_CHARS",
    "NOTHING_SEARCHABLE",
    "QUERY_FIELD_NAMES",
    "TEXT_FIELDS",
    "And",
    "AndNot",
    "Boost",
    "DateRange",
    "Everything",
    "Fuzzy",
    "Group",
    "Leaf",
    "Node",
    "Not",
    "Or",
    "Pattern",
    "Phrase",
    "Prefix",
    "Wildcard",
    "Word",
    "check_syntax",
    "date_period",
    "describe",
    "parse",
    "leaves",
    "patterns",
    "too_broad",
]
