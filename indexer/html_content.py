"""Main text of a saved HTML page: text blocks in one walk, chrome dropped by generic signals, best box kept.

One pass over the parsed tree turns it into a flat list of text blocks (paragraph-like runs of text) and
records, for every block-level element, the range of blocks it holds. All later decisions (is this box
chrome, where is the article, is this list only links) are sums over block ranges, so the tree is never
scanned again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

RULES = json.loads((Path(__file__).parent / "rules" / "html.json").read_text(encoding="utf-8"))
INVISIBLE_TAGS = frozenset(RULES["invisible_tags"])
CHROME_TAGS = frozenset(RULES["chrome_tags"])
LAYOUT_TAGS = frozenset(RULES["layout_tags"])
CONTENT_TAGS = frozenset(RULES["content_tags"])
MAIN_TAGS = frozenset(RULES["main_tags"])
HEADLINE_HOLDER_TAGS = frozenset(RULES["chrome_tags_unless_headline"])
BLOCK_TAGS = frozenset(RULES["block_tags"])
HEADING_TAGS = frozenset(RULES["heading_tags"])
PARAGRAPH_TAGS = frozenset(RULES["paragraph_tags"])
CHROME_TOKENS = frozenset(RULES["chrome_tokens"])
DISCUSSION_TOKENS = frozenset(RULES["discussion_tokens"])
LAYOUT_TOKENS = frozenset(RULES["layout_tokens"])
CONTENT_TOKENS = frozenset(RULES["content_tokens"])
# Kinds of chrome an element can be marked with.
CHROME, DISCUSSION, LAYOUT, HEADLINE_HOLDER = "chrome", "discussion", "layout", "headline-holder"
HIDDEN_STYLE = re.compile(RULES["hidden_style_pattern"], re.IGNORECASE)
CAMEL_CASE = re.compile(r"([a-z0-9])([A-Z])")
NON_WORD = re.compile(r"[^a-z0-9]+")
WHITESPACE = re.compile(r"\s+")
NO_TOKENS: frozenset[str] = frozenset()
IDEOGRAPHIC = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
IDEOGRAPHIC_WEIGHT = 3

# A block counts as article prose from this many characters on, if few of them are link text.
MIN_PROSE_CHARS = 25  # ideographic characters count IDEOGRAPHIC_WEIGHT times
MAX_PROSE_LINK_SHARE = 0.35
# A chrome-looking box is kept anyway when it holds at least this share of the page's prose:
# some sites wrap the whole page in a box whose class says "ad" or in an ASP.NET <form>.
CHROME_GUARD_SHARE = 0.5
# A layout box (sidebar grid, meta row) is kept when boxes named as content inside it hold this share.
CONTENT_GUARD_SHARE = 0.15
# Widening the article's container to its parent stops when the parent adds prose outside article
# parts (teasers, blurbs) above this share of the article parts' prose.
MAX_SCATTERED_SHARE = 0.15
# A sibling box is a part of the article (split by an ad, a lead above the body) when the best paragraph
# parent inside it scores at least this share of the best on the page.
SIBLING_PART_SHARE = 0.2
# A single paragraph beside the article's box is part of it from this length on (readability uses 80).
MIN_LONE_PARAGRAPH_CHARS = 80
# Inside the article, a box whose text is mostly links is a link list (tags, related stories).
MAX_BOX_LINK_SHARE = 0.5
# A paragraph this long (in prose weight) is solid story text; the story starts and ends with one.
SOLID_PARAGRAPH_CHARS = 60
# Less visible article text than this, and hidden boxes are searched too.
MIN_VISIBLE_ARTICLE_CHARS = 500
# ...and used only when they hold this many times more than what is visible (a short story stays short).
HIDDEN_STORY_RATIO = 2
# Trees deeper than this are broken markup; their deepest parts are ignored rather than recursed into.
MAX_DEPTH = 400
# Inline tags whose chrome class means "skip this text"; other unknown tags may be whole boxes.
INLINE_TAGS = frozenset(RULES["inline_tags"])


def text_weight(text: str) -> int:
    """Length of a text in Latin-letter equivalents: a Chinese, Japanese or Korean character counts more."""
    ideographs = len(text) - len(IDEOGRAPHIC.sub("", text))
    return len(text) + (IDEOGRAPHIC_WEIGHT - 1) * ideographs


def attribute_tokens(tag: Tag) -> frozenset[str]:
    """Lower-case word tokens of a tag's class and id, adjacent pairs joined ("most-read" -> "mostread")."""
    classes = tag.attrs.get("class")
    ident = tag.attrs.get("id")
    if not classes and not ident:
        return NO_TOKENS
    names = " ".join(classes) if isinstance(classes, list) else classes if isinstance(classes, str) else ""
    if isinstance(ident, str):
        names = f"{names} {ident}"
    return _name_tokens(names)


@lru_cache(maxsize=20000)
def _name_tokens(names: str) -> frozenset[str]:
    # Pages repeat the same class strings hundreds of times; tokenise each once.
    words = [word for word in NON_WORD.split(CAMEL_CASE.sub(r"\1 \2", names).lower()) if word]
    return frozenset(words) | {a + b for a, b in zip(words, words[1:], strict=False)}


def is_hidden(tag: Tag) -> bool:
    """Tell whether markup hides the element from readers (hidden attribute, display:none, aria-hidden)."""
    attrs = tag.attrs
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return bool(style) and isinstance(style, str) and HIDDEN_STYLE.search(style) is not None


def _chrome_kind(name: str, tokens: set[str]) -> str | None:
    if tokens & DISCUSSION_TOKENS:
        return DISCUSSION
    if name in CHROME_TAGS or tokens & CHROME_TOKENS:
        return CHROME
    if name in CONTENT_TAGS or tokens & CONTENT_TOKENS:
        return None  # "sidebar-grid__content", <article class="... status-publish">: named as content
    if name in LAYOUT_TAGS or tokens & LAYOUT_TOKENS:
        return LAYOUT
    if name in HEADLINE_HOLDER_TAGS:
        return HEADLINE_HOLDER
    return None


@dataclass
class Element:
    """A block-level element seen in the walk: its tag, parent, and the blocks [start, end) inside it."""

    name: str
    parent: int
    start: int
    end: int = -1
    chrome: str | None = None  # CHROME, DISCUSSION, LAYOUT, HEADLINE_HOLDER or None
    children: list[int] = field(default_factory=list)


class BlockWalker:
    """Turn a parsed tree into text blocks and element block ranges in one depth-first pass."""

    def __init__(self, keep_hidden: bool = False) -> None:
        self.keep_hidden = keep_hidden
        self.texts: list[str] = []
        self.link_chars: list[int] = []
        self.tags: list[str] = []  # name of the block element that holds each block
        self.owners: list[int] = []  # index of the element that holds each block
        self.in_content: list[bool] = []  # whether a box named as content (class "article-body"...) holds it
        self.elements: list[Element] = []
        self._parts: list[str] = []
        self._part_link_chars = 0
        self._link_depth = 0
        self._open: list[int] = []  # stack of element indexes
        self._content_depth = 0

    def flush(self) -> None:
        """End the current run of inline text as a block."""
        if not self._parts:
            return
        text = WHITESPACE.sub(" ", "".join(self._parts)).strip()
        if text:
            self.texts.append(text)
            self.link_chars.append(min(self._part_link_chars, len(text)))
            self.tags.append(self.elements[self._open[-1]].name if self._open else "")
            self.in_content.append(self._content_depth > 0)
            self.owners.append(self._open[-1] if self._open else 0)
        self._parts = []
        self._part_link_chars = 0

    def run(self, root: Tag) -> None:
        """Walk everything under root; element 0 stands for root itself."""
        self.elements.append(Element("root", -1, 0))
        self._open.append(0)
        self.walk(root)
        self.flush()
        self._open.pop()
        self.elements[0].end = len(self.texts)

    def walk(self, node: Tag, depth: int = 0) -> None:
        """Visit node's children in document order."""
        if depth > MAX_DEPTH:
            return
        for child in node.contents:
            if type(child) is NavigableString:
                self._parts.append(child)
                if self._link_depth:
                    self._part_link_chars += len(child.strip())
                continue
            if not isinstance(child, Tag):
                continue  # comments, doctype, CDATA, processing instructions
            name = child.name
            if name in INVISIBLE_TAGS or (not self.keep_hidden and is_hidden(child)):
                continue
            if name == "br" or name == "hr":
                self.flush()
                continue
            tokens = attribute_tokens(child)
            chrome = _chrome_kind(name, tokens)
            if name not in BLOCK_TAGS:
                if chrome in (CHROME, DISCUSSION) and name in INLINE_TAGS:
                    continue  # inline chrome (a share link, a credit span) is simply skipped
                if chrome is None or name in INLINE_TAGS:
                    if name == "a":
                        self._link_depth += 1
                        self.walk(child, depth + 1)
                        self._link_depth -= 1
                    else:
                        self.walk(child, depth + 1)
                    continue
                # An unknown container (a custom element) named as chrome is handled like a block box.
            self.flush()
            index = len(self.elements)
            parent = self._open[-1] if self._open else -1
            self.elements.append(Element(name, parent, len(self.texts), chrome=chrome))
            if parent >= 0:
                self.elements[parent].children.append(index)
            self._open.append(index)
            is_content = chrome not in (CHROME, DISCUSSION) and bool(tokens & CONTENT_TOKENS)
            self._content_depth += is_content
            self.walk(child, depth + 1)
            self.flush()
            self._content_depth -= is_content
            self._open.pop()
            self.elements[index].end = len(self.texts)


def _prefix(values: list[int]) -> list[int]:
    sums = [0]
    for value in values:
        sums.append(sums[-1] + value)
    return sums


def _masked(values: list[int], masked: list[bool]) -> list[int]:
    return [0 if off else value for value, off in zip(values, masked, strict=True)]


def walk_blocks(soup: BeautifulSoup, keep_hidden: bool = False) -> BlockWalker:
    """Walk the page's <body> (or the whole document when there is none) into blocks."""
    walker = BlockWalker(keep_hidden)
    walker.run(soup.body or soup)
    return walker


class ContentFinder:
    """Decisions over the walked blocks: drop chrome, pick the article's container, filter its blocks."""

    def __init__(self, walker: BlockWalker) -> None:
        self.texts, self.link_chars, self.tags = walker.texts, walker.link_chars, walker.tags
        self.owners, self.elements = walker.owners, walker.elements
        self.in_content = walker.in_content
        self.prose = [0] * len(self.texts)  # weight of each block that reads as article prose, else 0
        for i, (text, links, tag) in enumerate(zip(self.texts, self.link_chars, self.tags, strict=False)):
            if tag in HEADING_TAGS or tag == "h1" or links > MAX_PROSE_LINK_SHARE * len(text):
                continue
            weight = text_weight(text)
            if weight >= MIN_PROSE_CHARS:
                self.prose[i] = weight
        self.dropped = [False] * len(self.texts)
        self.h1_sums = _prefix([tag == "h1" for tag in self.tags])
        self.first_h1 = self.tags.index("h1") if "h1" in self.tags else -1
        self._prose_sums = _prefix(self.prose)

    def prose_in(self, element: Element) -> int:
        """Prose characters in an element's blocks that are not dropped."""
        return self._prose_sums[element.end] - self._prose_sums[element.start]

    def holds_h1(self, element: Element) -> bool:
        """Tell whether an <h1> is among the element's blocks."""
        return self.h1_sums[element.end] > self.h1_sums[element.start]

    def holds_other_h1(self, element: Element) -> bool:
        """Tell whether the element holds an <h1> other than the page's first one."""
        count = self.h1_sums[element.end] - self.h1_sums[element.start]
        holds_first = element.start <= self.first_h1 < element.end
        return count > holds_first

    def drop(self, element: Element) -> None:
        """Mark all of an element's blocks as not article text."""
        for i in range(element.start, element.end):
            self.dropped[i] = True

    def _recount(self) -> None:
        self._prose_sums = _prefix(_masked(self.prose, self.dropped))

    def _ancestors_of_main(self) -> set[int]:
        ancestors: set[int] = set()
        for element in self.elements:
            if element.name in MAIN_TAGS:
                parent = element.parent
                while parent >= 0 and parent not in ancestors:
                    ancestors.add(parent)
                    parent = self.elements[parent].parent
        return ancestors

    def drop_chrome(self) -> None:
        """Drop boxes marked as chrome by tag or class, unless they hold the article (see the rules file)."""
        total = self._prose_sums[-1] or 1
        content_sums = _prefix(_masked(self.prose, [not inside for inside in self.in_content]))
        wraps_main = self._ancestors_of_main()
        for index, element in enumerate(self.elements):
            if not element.chrome or element.end <= element.start:
                continue
            holds_headline = element.start <= self.first_h1 < element.end
            if element.chrome == HEADLINE_HOLDER and holds_headline:
                continue
            if element.chrome == DISCUSSION:
                if holds_headline and self.prose_in(element) >= CHROME_GUARD_SHARE * total:
                    continue
            elif holds_headline or index in wraps_main or (self.prose_in(element) >= CHROME_GUARD_SHARE * total):
                # A page wrapper whose class happens to say "ad" or "sidebar-grid" holds the story.
                continue
            content_prose = content_sums[element.end] - content_sums[element.start]
            if element.chrome == LAYOUT and content_prose >= CONTENT_GUARD_SHARE * total:
                continue
            self.drop(element)
        self._recount()

    def paragraph_scores(self) -> list[float]:
        """Readability-style scores: prose credits its paragraph's parent fully, the grandparent half."""
        scores = [0.0] * len(self.elements)
        for i, weight in enumerate(self.prose):
            if not weight or self.dropped[i]:
                continue
            target = self.paragraph_parent(i)
            scores[target] += weight
            grandparent = self.elements[target].parent
            if grandparent >= 0:
                scores[grandparent] += weight / 2
        return scores

    def paragraph_parent(self, block: int) -> int:
        """The element a block's paragraph sits in, looking through wrappers that hold nothing else."""
        paragraph = self.owners[block]
        element = self.elements[paragraph]
        if self.tags[block] not in PARAGRAPH_TAGS and element.end - element.start > 1:
            return paragraph  # a box of loose text lines (<br>-separated) is itself the paragraph parent
        while element.parent >= 0:
            parent = self.elements[element.parent]
            if parent.start != element.start or parent.end != element.end:
                return element.parent
            paragraph, element = element.parent, parent
        return paragraph

    def find_container(self) -> Element:
        """The element holding the article: the best paragraph parent, widened over its lead and parts."""
        scores = self.paragraph_scores()
        core_index = max(range(len(scores)), key=scores.__getitem__)
        if scores[core_index] <= 0:
            return self.elements[0]
        best_score = scores[core_index]
        # The highest paragraph-parent score inside each element, to tell article parts from teaser boxes.
        subtree_best = scores[:]
        for index in range(len(self.elements) - 1, 0, -1):
            parent = self.elements[index].parent
            if parent >= 0 and subtree_best[index] > subtree_best[parent]:
                subtree_best[parent] = subtree_best[index]
        container_index = core_index
        while True:
            container = self.elements[container_index]
            parent_index = container.parent
            if parent_index < 0:
                break
            parent = self.elements[parent_index]
            scattered = 0  # prose the parent adds outside article parts: teasers, blurbs, lists
            for sibling_index in parent.children:
                if sibling_index == container_index:
                    continue
                sibling = self.elements[sibling_index]
                if sibling.end - sibling.start == 1:
                    # A lone paragraph beside the article (a lead, a paragraph between two body boxes).
                    is_part = self.prose[sibling.start] >= MIN_LONE_PARAGRAPH_CHARS
                else:
                    # A box with a headline of its own (not the page's first <h1>) is another story.
                    is_part = subtree_best[sibling_index] >= SIBLING_PART_SHARE * best_score and not (
                        self.holds_other_h1(sibling)
                    )
                if not is_part:
                    scattered += self.prose_in(sibling)
            # Text directly in the parent, outside any child element, counts as scattered too.
            scattered += self.prose_in(parent) - sum(self.prose_in(self.elements[c]) for c in parent.children)
            if scattered > MAX_SCATTERED_SHARE * (self.prose_in(parent) - scattered):
                break
            container_index = parent_index
        return self.elements[container_index]

    def drop_link_boxes(self, container: Element) -> None:
        """Inside the article, drop boxes whose text is mostly links (tag lists, related links)."""
        link_sums = _prefix(_masked(self.link_chars, self.dropped))
        char_sums = _prefix(_masked([len(text) for text in self.texts], self.dropped))
        container_prose = self.prose_in(container)
        for element in self.elements:
            if element.start < container.start or element.end > container.end or element is container:
                continue
            chars = char_sums[element.end] - char_sums[element.start]
            links = link_sums[element.end] - link_sums[element.start]
            if (
                chars
                and links > MAX_BOX_LINK_SHARE * chars
                and (self.prose_in(element) < CHROME_GUARD_SHARE * container_prose)
            ):
                self.drop(element)

    def article_span(self, container: Element) -> tuple[int, int]:
        """Blocks [first, last) of the container from its first to its last solid paragraph.

        Short lines before the story starts or after it ends (dates, "Advert", "Image 1 of 5") are chrome;
        between solid paragraphs the same lines are part of the story (subheadings, list items).
        """
        solid = [
            i
            for i in range(container.start, container.end)
            if not self.dropped[i] and self.prose[i] >= SOLID_PARAGRAPH_CHARS
        ]
        if not solid:
            return container.start, container.end
        return solid[0], solid[-1] + 1

    def paragraphs(self, container: Element, title: str | None) -> list[str]:
        """The container's kept blocks as paragraphs; subheadings only when text follows them."""
        paragraphs: list[str] = []
        title_key = (title or "").casefold()
        pending_heading: str | None = None
        first, last = self.article_span(container)
        for i in range(first, last):
            if self.dropped[i]:
                continue
            text, tag = self.texts[i], self.tags[i]
            if self.link_chars[i] > MAX_BOX_LINK_SHARE * len(text):
                continue
            if tag == "h1" or text.casefold() == title_key:
                continue
            if tag in HEADING_TAGS:
                pending_heading = text  # a heading over nothing is a chrome label ("Related", "Comments")
                continue
            if pending_heading:
                paragraphs.append(pending_heading)
                pending_heading = None
            paragraphs.append(text)
        return paragraphs


def _extract(soup: BeautifulSoup, title: str | None, keep_hidden: bool) -> list[str]:
    walker = walk_blocks(soup, keep_hidden)
    if not walker.texts:
        return []
    finder = ContentFinder(walker)
    finder.drop_chrome()
    container = finder.find_container()
    finder.drop_link_boxes(container)
    return finder.paragraphs(container, title)


def extract_content(soup: BeautifulSoup, title: str | None = None) -> list[str]:
    """Return the article's paragraphs (subheadings as their own paragraphs), chrome removed."""
    paragraphs = _extract(soup, title, keep_hidden=False)
    visible = sum(map(text_weight, paragraphs))
    if visible < MIN_VISIBLE_ARTICLE_CHARS:
        # Script-rendered pages ship the story in hidden boxes that are revealed on load.
        with_hidden = _extract(soup, title, keep_hidden=True)
        if sum(map(text_weight, with_hidden)) > HIDDEN_STORY_RATIO * visible:
            return with_hidden
    return paragraphs
