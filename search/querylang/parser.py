"""Reading query text into the tree: Whoosh's tagging and filters, step for step, on our own syntax nodes."""

from __future__ import annotations

import re

from search.querylang.dates import _scan_dates
from search.querylang.syntax import check_syntax
from search.querylang.tree import (
    CONTROL_CHARS,
    DATE,
    MATCH_EVERYTHING,
    TERM_START,
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
    Phrase,
    Prefix,
    Wildcard,
    Word,
)

# --- Reading: Whoosh's tagging and filters, on our own syntax nodes ---------------------------------
# Each step below is the Whoosh qparser plugin of the same name (whoosh/qparser/plugins.py), in the
# order the archive's parser ran them; the quirks they have are the behaviour people know.


class _Syn:
    has_fieldname = False
    has_text = False
    has_boost = False

    def is_ws(self) -> bool:
        return False

    def is_text(self) -> bool:
        return False

    def set_fieldname(self, name: str, override: bool = False) -> None:
        if self.has_fieldname and (self.fieldname is None or override):
            self.fieldname = name

    def set_boost(self, boost: float) -> None:
        if self.has_boost:
            self.boost = boost


class _Space(_Syn):
    def is_ws(self) -> bool:
        return True


class _Marker(_Syn):
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "open", "close", "plus", "minus", "every"


class _Op(_Syn):
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "not", "and", "or", "andnot"


class _FieldName(_Syn):
    has_fieldname = True

    def __init__(self, fieldname: str, original: str) -> None:
        self.fieldname = fieldname
        self.original = original


class _BoostMark(_Syn):
    def __init__(self, boost: float, original: str) -> None:
        self.boost = boost
        self.original = original


class _Fuzziness(_Syn):
    def __init__(self, maxdist: int, prefix: int, original: str) -> None:
        self.maxdist = maxdist
        self.prefix = prefix
        self.original = original


class _Text(_Syn):
    has_fieldname = has_text = has_boost = True

    def __init__(self, text: str) -> None:
        self.fieldname: str | None = None
        self.text = text
        self.boost = 1.0

    def is_text(self) -> bool:
        return True


class _WordT(_Text):
    pass


class _WildT(_Text):
    pass


class _PrefixT(_Text):
    pass


class _PhraseT(_Text):
    def __init__(self, text: str, slop: int) -> None:
        super().__init__(text)
        self.slop = slop


class _FuzzyT(_Text):
    def __init__(self, word: _WordT, maxdist: int, prefix: int) -> None:
        super().__init__(word.text)
        self.maxdist = maxdist
        self.prefix = prefix


class _DateT(_Syn):
    has_fieldname = has_boost = True

    def __init__(self, node: DateRange) -> None:
        self.fieldname = DATE
        self.node = node
        self.boost = 1.0


class _Group(_Syn):
    has_boost = True

    def __init__(self, nodes: list[_Syn] | None = None) -> None:
        self.nodes = nodes or []
        self.boost = 1.0

    def set_fieldname(self, name: str, override: bool = False) -> None:
        for node in self.nodes:
            node.set_fieldname(name, override)


class _Implicit(_Group):
    """Terms joined by the default operator (Whoosh's parser.group)."""


class _AndG(_Group):
    pass


class _OrG(_Group):
    pass


class _NotG(_Group):
    pass


class _AndNotG(_Group):
    has_boost = False


class _Multi(_Group):
    """An unfielded term, to be searched in the default fields (Whoosh's MultifieldPlugin group)."""


def _to_word(node: _Syn) -> _WordT:
    return _WordT(node.original)


def _regex_tagger(pattern: str, make, flags: int = 0):
    expr = re.compile(pattern, flags)

    def tag(text: str, pos: int) -> tuple[_Syn, int] | None:
        match = expr.match(text, pos)
        return (make(match), match.end()) if match else None

    return tag


def _make_boost(match: re.Match) -> _Syn:
    try:
        return _BoostMark(float(match.group("boost")), match.group(0))
    except ValueError:
        return _WordT(match.group(0))


def _make_fuzziness(match: re.Match) -> _Syn:
    maxdist, prefix = match.group("maxdist"), match.group("prefix")
    return _Fuzziness(int(maxdist) if maxdist else 1, int(prefix) if prefix else 0, match.group(0))


QMARKS = "?\u055e\u061f\u1367"
# In Whoosh's priority order: the first tagger that matches at a position wins.
_TAGGERS = [
    _regex_tagger(r"(?<=\s)ANDNOT(?=\s)", lambda m: _Op("andnot")),
    _regex_tagger(r"[*]:[*]", lambda m: _Marker("every")),
    _regex_tagger(r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)", lambda m: _WordT(m.group("text"))),
    _regex_tagger(r"(?P<text>\w+|[*]):", lambda m: _FieldName(m.group("text"), m.group(0))),
    _regex_tagger(f"(?P<text>[*{QMARKS}])", lambda m: _WildT(m.group("text"))),
    _regex_tagger(
        r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?',
        lambda m: _PhraseT(m.group("text"), int(m.group("slop") or 1)),
    ),
    _regex_tagger(r"[(]", lambda m: _Marker("open")),
    _regex_tagger(r"[)]", lambda m: _Marker("close")),
    _regex_tagger(r"(^|(?<=(\s|[()])))NOT(?=\s)", lambda m: _Op("not")),
    _regex_tagger(r"(?<=\s)AND(?=\s)", lambda m: _Op("and")),
    _regex_tagger(r"(?<=\s)OR(?=\s)", lambda m: _Op("or")),
    _regex_tagger(r"\^(?P<boost>[0-9]*(\.[0-9]+)?)($|(?=[ \t\r\n)]))", _make_boost),
    _regex_tagger(r"(?<=\S)~(?P<maxdist>[0-9])?(/(?P<prefix>[1-9][0-9]*))?", _make_fuzziness),
    _regex_tagger(TERM_START + r"\+(?=\S)", lambda m: _Marker("plus")),
    _regex_tagger(TERM_START + r"-(?=\S)", lambda m: _Marker("minus")),
    _regex_tagger(r"\s+", lambda m: _Space()),
]


def _tag(text: str, dates: dict[int, tuple[int, DateRange]]) -> list[_Syn]:
    """Cut the text into syntax nodes; text no tagger claims becomes words."""
    found: list[_Syn] = []
    prev = pos = 0
    while pos < len(text):
        tagged = None
        if pos in dates:
            end, node = dates[pos]
            tagged = (_DateT(node), end)
        else:
            for tagger in _TAGGERS:
                tagged = tagger(text, pos)
                if tagged:
                    break
        if tagged:
            if prev < pos:
                found.append(_WordT(text[prev:pos]))
            found.append(tagged[0])
            prev = pos = tagged[1]
        else:
            pos += 1
    if prev < len(text):
        found.append(_WordT(text[prev:]))
    return found


def _groups(nodes: list[_Syn]) -> _Group:
    stack: list[_Group] = [_Implicit()]
    for node in nodes:
        if isinstance(node, _Marker) and node.kind == "open":
            stack.append(_Implicit())
        elif isinstance(node, _Marker) and node.kind == "close":
            if len(stack) > 1:
                last = stack.pop()
                stack[-1].nodes.append(last)
        else:
            stack[-1].nodes.append(node)
    top = stack[0]
    for level in stack[1:]:
        top.nodes.extend(level.nodes)
    if len(top.nodes) == 1 and isinstance(top.nodes[0], _Group):
        boost, top = top.boost, top.nodes[0]
        top.boost = boost
    return top


def _clean_boost(group: _Group) -> None:
    # Only at the top level, as in Whoosh: a boost that follows nothing boostable is a word.
    for i, node in enumerate(group.nodes):
        if isinstance(node, _BoostMark) and (not i or not group.nodes[i - 1].has_boost):
            group.nodes[i] = _to_word(node)


def _fuzzy_terms(group: _Group) -> None:
    nodes, result, i = group.nodes, [], 0
    while i < len(nodes):
        node = nodes[i]
        if i < len(nodes) - 1 and type(node) is _WordT and isinstance(nodes[i + 1], _Fuzziness):
            node = _FuzzyT(node, nodes[i + 1].maxdist, nodes[i + 1].prefix)
            i += 1
        if isinstance(node, _Fuzziness):
            node = _to_word(node)
        if isinstance(node, _Group):
            _fuzzy_terms(node)
        result.append(node)
        i += 1
    group.nodes = result


def _wildcards(group: _Group) -> None:
    nodes, i = group.nodes, 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, _WildT):
            if i < len(nodes) - 1 and nodes[i + 1].is_text():
                node.text += nodes.pop(i + 1).text
            if i > 0 and nodes[i - 1].is_text():
                node.text = nodes.pop(i - 1).text + node.text
            else:
                i += 1
        else:
            if isinstance(node, _Group):
                _wildcards(node)
            i += 1
    for i, node in enumerate(nodes):
        if isinstance(node, _WildT):
            text = node.text
            if len(text) > 1 and not any(mark in text for mark in QMARKS) and text.find("*") == len(text) - 1:
                nodes[i] = _PrefixT(text[:-1])


def _fieldnames(group: _Group) -> None:
    # A name that is not a query field is text, glued to the text after it ("10:30", "Update:").
    kept: list[_Syn] = []
    unknown: _FieldName | None = None
    for node in group.nodes:
        if isinstance(node, _FieldName) and node.fieldname not in TEXT_FIELDS:
            unknown = node
            continue
        if unknown:
            if node.has_text:
                node.text = unknown.original + node.text
            else:
                kept.append(_to_word(unknown))
            unknown = None
        kept.append(node)
    if unknown:
        kept.append(_to_word(unknown))
    result: list[_Syn] = []
    i = len(kept)
    while i > 0:
        i -= 1
        node = kept[i]
        if isinstance(node, _FieldName):
            node = _to_word(node)
        elif isinstance(node, _Group):
            _fieldnames(node)
        if i > 0 and not node.is_ws() and isinstance(kept[i - 1], _FieldName):
            node.set_fieldname(kept[i - 1].fieldname)
            i -= 1
        result.append(node)
    result.reverse()
    group.nodes = result


def _multifield(group: _Group) -> None:
    for i, node in enumerate(group.nodes):
        if isinstance(node, _Group):
            _multifield(node)
        elif node.has_fieldname and node.fieldname is None:
            group.nodes[i] = _Multi([node])


def _drop_space(group: _Group) -> None:
    group.nodes = [node for node in group.nodes if not node.is_ws()]
    for node in group.nodes:
        if isinstance(node, _Group):
            _drop_space(node)


def _boosts(group: _Group) -> None:
    result: list[_Syn] = []
    for node in group.nodes:
        if isinstance(node, _Group):
            _boosts(node)
        elif isinstance(node, _BoostMark):
            if result and result[-1].has_boost:
                result[-1].set_boost(node.boost)
                continue
            node = _to_word(node)
        result.append(node)
    group.nodes = result


def _plus_minus(group: _Group, top: bool) -> _Group:
    """Take `+` terms and `-` terms out of each group: (+required AND rest) minus any excluded."""
    for i, node in enumerate(group.nodes):
        if isinstance(node, _Implicit):
            group.nodes[i] = _plus_minus(node, False)
    required: list[_Syn] = []
    optional: list[_Syn] = []
    banned: list[_Syn] = []
    target = optional
    for node in group.nodes:
        if isinstance(node, _Marker) and node.kind == "plus":
            target = required
        elif isinstance(node, _Marker) and node.kind == "minus":
            target = banned
        else:
            target.append(node)
            target = optional
    if not required and not banned:
        group.nodes = optional
        return group
    core: _Group = _Implicit(optional)
    if required:
        core = _AndG([*required, core])
    if banned:
        core = _AndNotG([core, _OrG(banned)])
    if top:
        return core
    group.nodes = [core]
    return group


_INFIX = {"and": _AndG, "or": _OrG, "andnot": _AndNotG}


def _operators(group: _Group) -> None:
    nodes = group.nodes
    for kind in ("not", "and", "or", "andnot"):
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if not (isinstance(node, _Op) and node.kind == kind):
                i += 1
            elif kind == "not":
                del nodes[i]
                if i < len(nodes):
                    nodes[i] = _NotG([nodes[i]])
            elif 0 < i < len(nodes) - 1:
                left, right, cls = nodes[i - 1], nodes[i + 1], _INFIX[kind]
                # Only operator groups absorb a neighbour; a parenthesis keeps its boost to itself.
                if cls is not _AndNotG and type(left) is cls:
                    left.nodes.append(right)
                    del nodes[i : i + 2]
                else:
                    nodes[i - 1 : i + 2] = [cls([left, right])]
            else:
                del nodes[i]
    for node in nodes:
        if isinstance(node, _Group):
            _operators(node)


def _boosted(node: Node, boost: float) -> Node:
    return node if boost == 1.0 else Boost(node, boost)


def _leaf(node: _Text, field: str | None) -> Leaf:
    if isinstance(node, _PhraseT):
        return Phrase(node.text, node.slop, field)
    if isinstance(node, _PrefixT):
        return Prefix(node.text, field)
    if isinstance(node, _WildT):
        return Wildcard(node.text, field)
    if isinstance(node, _FuzzyT):
        return Fuzzy(node.text, node.maxdist, node.prefix, field)
    return Word(node.text, field)


def _tree(node: _Syn) -> Node | None:
    """Turn the rearranged syntax nodes into the tree; operators left with nothing to act on vanish."""
    if isinstance(node, _Multi):
        return _boosted(_leaf(node.nodes[0], None), node.boost)
    if isinstance(node, _Text):
        return _boosted(_leaf(node, node.fieldname), node.boost)
    if isinstance(node, _DateT):
        return _boosted(node.node, node.boost)
    if isinstance(node, _Marker) and node.kind == "every":
        return Everything()
    if not isinstance(node, _Group):
        return None
    children = tuple(child for child in map(_tree, node.nodes) if child is not None)
    if isinstance(node, _NotG):
        return Not(children[0]) if children else None
    if isinstance(node, _AndNotG):
        return AndNot(*children) if len(children) == 2 else (children[0] if children else None)
    if isinstance(node, _AndG):
        return And(children)
    if isinstance(node, _OrG):
        return Or(children)
    return _boosted(Group(children), node.boost)


def parse(text: str) -> Node:
    """Read user query text into a tree; an empty query (or `*`) matches every article.

    Raises QuerySyntaxError, with the 1-based column where known, for text that cannot be read.
    """
    text = CONTROL_CHARS.sub(" ", text or "").strip()
    if not text or text == MATCH_EVERYTHING:
        return Everything()
    check_syntax(text)
    top = _groups(_tag(text, _scan_dates(text)))
    _clean_boost(top)
    _fuzzy_terms(top)
    _wildcards(top)
    _fieldnames(top)
    _multifield(top)
    _drop_space(top)
    _boosts(top)
    top = _plus_minus(top, True)
    _operators(top)
    return _tree(top) or Group(())
