"""Saved-HTML extraction: metadata from the page's markup, the story text without page chrome."""

from __future__ import annotations

import datetime as dt
import gc
import json

import pytest
from bs4 import BeautifulSoup

from indexer.article import Article, SkipDocument
from indexer.html import collector_paused, extract_html
from indexer.html_content import parse_html, text_of
from indexer.html_metadata import split_authors
from indexer.pipeline import process

STORY = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, "
    "ending months of argument about the crumbling structure.",
    "Engineers told the council that the bridge, built in 1921, could no longer carry heavy traffic "
    "safely, and that repairs would cost more than a new crossing.",
    "Shop owners near the harbour said they feared losing customers, while cycling groups welcomed "
    "the decision as long overdue.",
]
SUBHEADING = "What happens next"
AFTER_SUBHEADING = [
    "A public consultation on the design of a replacement bridge opens in January and runs for "
    "six weeks, the council said in a statement.",
    "Construction could start in 2027 if the regional government approves the funding request "
    "that the council plans to submit this autumn.",
]
JSON_LD = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "Organization", "@id": "#org", "name": "Harbour Times Group"},
        {"@type": "WebPage", "@id": "https://example.org/bridge", "name": "Bridge page"},
        {
            "@type": "NewsArticle",
            "headline": "Council votes to close old harbour bridge",
            "datePublished": "2024-11-05T08:07:00+01:00",
            "dateModified": "2024-11-06T10:00:00+01:00",
            "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Roe"}],
            "publisher": {"@id": "#org", "name": "Harbour Times"},
            "inLanguage": "en-GB",
        },
    ],
}
CHROME = {
    "nav": "Home World Politics Sport Culture",
    "share": "Share on Facebook",
    "caption": "The old harbour bridge at dusk.",
    "credit": "Photo: Max Mustermann",
    "newsletter": "Sign up for our morning briefing and never miss a story again, delivered daily to you.",
    "related": "Ten things to do in the harbour district this weekend",
    "comments": "I have crossed that bridge every day for forty years and it was never in better shape.",
    "aside": "Most read: a cat was elected mayor of a small village in the hills above the town.",
    "footer": "Copyright 2024 Harbour Times Group. All rights reserved. Imprint and privacy policy.",
    "byline": "By Jane Doe and John Roe",
}


def news_page() -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in STORY)
    more = "".join(f"<p>{text}</p>" for text in AFTER_SUBHEADING)
    return f"""<!DOCTYPE html>
<html lang="de-AT">
<head>
<meta charset="utf-8">
<title>Council votes to close old harbour bridge | Harbour Times</title>
<meta property="og:title" content="Council votes to close old harbour bridge">
<meta property="og:site_name" content="Harbour Times">
<meta property="og:url" content="https://example.org/news/bridge-og">
<link rel="canonical" href="https://example.org/news/bridge">
<script type="application/ld+json">{json.dumps(JSON_LD)}</script>
</head>
<body>
<header class="site-header"><a href="/">Harbour Times</a>
  <nav><ul>{"".join(f'<li><a href="/{w}">{w}</a></li>' for w in CHROME["nav"].split())}</ul></nav>
</header>
<main>
<article>
  <header>
    <h1>Council votes to close old harbour bridge</h1>
    <div class="byline">{CHROME["byline"]}</div>
    <time datetime="2024-11-05T08:07:00+01:00">5 November 2024</time>
  </header>
  <div class="share-bar"><a href="https://facebook.com/share">{CHROME["share"]}</a></div>
  <figure><img src="bridge.jpg" alt="">
    <figcaption>{CHROME["caption"]} <span class="credit">{CHROME["credit"]}</span></figcaption>
  </figure>
  <div class="article-body">
    {paragraphs}
    <h2>{SUBHEADING}</h2>
    {more}
  </div>
  <div class="newsletter-box"><p>{CHROME["newsletter"]}</p><form><input type="email"></form></div>
  <section class="related-articles"><h3>Related</h3>
    <ul><li><a href="/a">{CHROME["related"]}</a></li><li><a href="/b">Harbour festival returns</a></li></ul>
  </section>
</article>
<section id="comments"><h3>Comments</h3><div class="comment"><p>{CHROME["comments"]}</p></div></section>
</main>
<aside><p>{CHROME["aside"]}</p></aside>
<footer><p>{CHROME["footer"]}</p></footer>
</body>
</html>"""


def html_article(markup: str, path: str = "page.html") -> Article:
    return Article(path=path, fmt="html", text=markup)


@pytest.fixture(scope="module")
def extracted() -> Article:
    return extract_html(html_article(news_page()))


def test_metadata_comes_from_json_ld_graph_and_meta(extracted: Article) -> None:
    assert extracted.title == "Council votes to close old harbour bridge"
    assert extracted.authors == ["Jane Doe", "John Roe"]
    assert extracted.date == dt.date(2024, 11, 5)
    assert extracted.source == "Harbour Times"
    assert extracted.url == "https://example.org/news/bridge"
    assert extracted.declared_language == "de"  # <html lang> wins over JSON-LD inLanguage
    assert extracted.methods["date"] == "json-ld"
    assert extracted.methods["authors"] == "json-ld"
    assert extracted.methods["source"] == "meta"


def test_body_keeps_story_paragraphs_and_subheadings_in_order(extracted: Article) -> None:
    paragraphs = extracted.body.split("\n\n")
    assert paragraphs == [*STORY, SUBHEADING, *AFTER_SUBHEADING]


@pytest.mark.parametrize("part", sorted(CHROME))
def test_body_has_no_chrome(extracted: Article, part: str) -> None:
    assert CHROME[part] not in extracted.body
    assert extracted.title not in extracted.body


def test_meta_tags_serve_when_there_is_no_json_ld() -> None:
    page = f"""<html><head>
<title>Storm closes ferry routes - Coast Daily</title>
<meta name="author" content="By Ann Smith">
<meta property="article:author" content="https://example.org/authors/ann-smith">
<meta property="article:published_time" content="2023-02-01T06:00:00Z">
<meta http-equiv="content-language" content="fr-CA">
</head><body><div class="content">{"".join(f"<p>{text}</p>" for text in STORY)}</div></body></html>"""
    article = extract_html(html_article(page))
    assert article.title == "Storm closes ferry routes"  # the short end piece is the site name
    assert article.authors == ["Ann Smith"]
    assert article.date == dt.date(2023, 2, 1)
    assert article.methods["date"] == "meta"
    assert article.declared_language == "fr"


def test_time_element_dates_a_page_without_declared_metadata() -> None:
    page = f"""<html><body><article><h1>Ferry routes closed</h1>
<p class="meta"><time datetime="2022-07-14">14 July</time></p>
{"".join(f"<p>{text}</p>" for text in STORY)}</article></body></html>"""
    article = extract_html(html_article(page))
    assert article.date == dt.date(2022, 7, 14)
    assert article.methods["date"] == "time"
    assert article.title == "Ferry routes closed"


def test_future_dates_are_rejected() -> None:
    page = f"""<html><head><meta property="article:published_time" content="2999-01-01"></head>
<body>{"".join(f"<p>{text}</p>" for text in STORY)}</body></html>"""
    assert extract_html(html_article(page)).date is None


def test_escaped_markup_in_the_text_stays_text() -> None:
    code = "Type &lt;script&gt;alert(1)&lt;/script&gt; into the search box to see the bug in action today."
    page = f"<html><body><article><p>{STORY[0]}</p><p>{code}</p><p>{STORY[1]}</p></article></body></html>"
    article = extract_html(html_article(page))
    assert "Type <script>alert(1)</script> into the search box" in article.body


def test_scripts_styles_and_hidden_boxes_are_not_text() -> None:
    page = f"""<html><body><article>
<script>var tracking = "do not index this";</script><style>p {{ color: red }}</style>
<div style="display: none"><p>Hidden subscriber teaser that nobody sees on the page at all.</p></div>
{"".join(f"<p>{text}</p>" for text in STORY)}</article></body></html>"""
    body = extract_html(html_article(page)).body
    assert "tracking" not in body and "color" not in body and "Hidden subscriber" not in body
    assert STORY[2] in body


def test_an_unclosed_tag_inside_noscript_does_not_hide_the_page() -> None:
    # Browsers read <noscript> as raw text; a parser that reads it as markup lets "<div>" swallow the page.
    page = f"""<html><body><noscript><div id="no-js"></noscript><div class="menu"><a href="/">Home</a></div>
<article><h1>Bridge closed</h1>{story_html(STORY)}</article>
<noscript><p>Please enable JavaScript to see the comments.</p></noscript></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == STORY


def test_a_page_whose_every_box_is_named_as_chrome_keeps_its_text() -> None:
    # A forum thread is all reader posts; the page would otherwise be skipped as having no article.
    posts = "".join(f'<div class="comment"><p>{text}</p></div>' for text in STORY)
    login = '<div class="newsletter"><p>Subscribe to our newsletter to get the best threads every week.</p></div>'
    page = f"<html><body><div class='comments'>{posts}</div>{login}</body></html>"
    assert extract_html(html_article(page)).body.split("\n\n") == STORY
    # A podcast page: its text is the "podcast-description", though it holds less than half the page's
    # prose; the "podcast-card" teasers and the newsletter box inside the description still go.
    card = "Another story of the harbour district, told by the people who live and work by the water every day, " * 2
    cards = "".join(f'<div class="podcast-card"><p>Episode {i}. {card}</p></div>' for i in range(3))
    page = f"""<html><body><h1>The bridge</h1><div class="podcast-description">{story_html(STORY)}
<div class="newsletter"><p>New episodes arrive in your inbox on Fridays, with notes from the team.</p></div></div>
<h2>You may also like</h2><div class="podcasts">{cards}</div></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == STORY


def test_page_without_body_element() -> None:
    page = "<title>Notice</title>" + "".join(f"<p>{text}</p>" for text in STORY)
    article = extract_html(html_article(page))
    assert article.body.split("\n\n") == STORY
    assert article.title == "Notice"


def test_wrapper_named_like_a_sidebar_keeps_the_story() -> None:
    # Layout class names ("sidebar-grid") must not drop the story inside them.
    page = f"""<html><body><div class="sidebar-grid"><div class="sidebar-grid__content article__content">
{"".join(f"<p>{text}</p>" for text in STORY)}</div><div class="sidebar"><p>{CHROME["aside"]}</p></div>
</div></body></html>"""
    body = extract_html(html_article(page)).body
    assert body.split("\n\n") == STORY


def test_story_split_by_an_ad_box_is_joined() -> None:
    first, second = STORY[:2], STORY[2:] + AFTER_SUBHEADING
    page = f"""<html><body><article>
<div class="text">{"".join(f"<p>{text}</p>" for text in first)}</div>
<div class="ad-slot"><p>Advertisement: buy the best boats in the harbour at our shop today.</p></div>
<div class="text">{"".join(f"<p>{text}</p>" for text in second)}</div>
</article><div class="teasers">{
        "".join(
            f'<div><h3><a href="/{i}">Teaser {i}</a></h3><p>Short teaser '
            f"text number {i} about something else entirely.</p></div>"
            for i in range(8)
        )
    }</div></body></html>"""
    body = extract_html(html_article(page)).body
    assert body.split("\n\n") == first + second


def test_dateline_and_agency_of_the_first_paragraph() -> None:
    page = "<html><body><p>WASHINGTON (AP) — " + STORY[0] + "</p><p>" + STORY[1] + "</p></body></html>"
    article = extract_html(html_article(page))
    assert (article.dateline, article.agency) == ("Washington", "AP")


def test_an_agency_named_as_author_is_the_agency() -> None:
    page = (
        '<html><head><meta name="author" content="Agence France-Presse"></head><body><p>'
        + STORY[0]
        + "</p><p>"
        + STORY[1]
        + "</p></body></html>"
    )
    assert extract_html(html_article(page)).agency == "AFP"


def test_split_authors_rejects_what_is_not_a_name() -> None:
    assert split_authors("By Jane Doe and John Roe") == ["Jane Doe", "John Roe"]
    assert split_authors("https://example.org/author/jane-doe") == []
    assert split_authors("Elena Muster (em), dpa") == ["Elena Muster", "dpa"]
    assert split_authors("Updated 5 November 2024", visible=True) == []


def test_empty_page_is_skipped_through_the_pipeline() -> None:
    with pytest.raises(SkipDocument):
        process(Article(path="empty.html", fmt="html", raw=b"<html><head></head><body>  </body></html>"))
    with pytest.raises(SkipDocument):
        process(Article(path="blank.html", fmt="html", raw=b""))


def test_a_page_of_nothing_but_furniture_is_skipped_saying_so() -> None:
    markup = (
        "<html><body><nav><a href='/'>Home</a> <a href='/podcasts'>Podcasts</a></nav><main><p>Sign up for our "
        "newsletter: your e-mail address is only used to send you our newsletters.</p></main></body></html>"
    )
    with pytest.raises(SkipDocument, match="no article text .*only menus and notices"):
        extract_html(html_article(markup))


def test_pipeline_runs_html_pages_end_to_end() -> None:
    article = process(Article(path="news/bridge.html", fmt="text", raw=news_page().encode("utf-8")))
    assert article.fmt == "html"  # recognised by its markup, not by the file name
    assert article.title == "Council votes to close old harbour bridge"
    assert STORY[0] in article.body


def story_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def test_furniture_and_date_lines_between_paragraphs_are_dropped() -> None:
    # Phrase data (rules/phrases, html.json) marks "Advertisement" and cookie notices; a short line of
    # only a date is page metadata. A line merely quoting such a word stays.
    quote = "Ferry operators said the advertisement campaign for the new route would start in May."
    page = f"""<html><body><article><h1>Ferry routes closed</h1>
<p>{STORY[0]}</p><p>Freitag, 28.04.2023, 19:25 Uhr</p><p>Advertisement</p><p>{STORY[1]}</p>
<p>This website uses cookies to improve your experience.</p><p>{quote}</p><p>{STORY[2]}</p>
</article></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == [STORY[0], STORY[1], quote, STORY[2]]


def test_box_opened_by_an_end_marker_is_dropped() -> None:
    teasers = "".join(
        f"<p>Teaser paragraph {i} about another story with enough words to read as prose text.</p>" for i in range(6)
    )
    page = f"""<html><body><div class="content"><h1>Ferry routes closed</h1>{story_html(STORY)}
<div class="more"><h3>You may also like...</h3>{teasers}</div></div></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == STORY


def test_loose_end_marker_cuts_only_a_short_tail() -> None:
    tail = "<h3>Comments</h3><p>I have crossed that bridge every day for forty years, it is fine, really.</p>"
    story = story_html(STORY + AFTER_SUBHEADING)
    page = f"<html><body><div><h1>Ferry routes closed</h1>{story}{tail}</div></body></html>"
    assert extract_html(html_article(page)).body.split("\n\n") == STORY + AFTER_SUBHEADING
    # Most of the story after the label: the story goes on (the label itself is furniture).
    page = f"""<html><body><div><h1>Ferry routes closed</h1><p>{STORY[0]}</p><h3>Comments</h3>
{story_html(STORY[1:] + AFTER_SUBHEADING)}</div></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == STORY + AFTER_SUBHEADING


def two_story_page(story: list[str], longer: list[str]) -> str:
    """A page whose title names its first story, with a longer second story loaded below it."""
    return f"""<html><head><meta property="og:title" content="Council votes to close old harbour bridge"></head>
<body><main>
<article><h1>Council votes to close old harbour bridge</h1><div class="body">{story_html(story)}</div></article>
<article><h1>Harbour festival returns</h1><div class="body">{story_html(longer)}</div></article>
</main></body></html>"""


def test_page_with_several_stories_keeps_the_one_its_title_names() -> None:
    longer = [f"{text} The next story is longer than the first one on purpose." for text in STORY * 2]
    article = extract_html(html_article(two_story_page(STORY, longer)))
    assert article.body.split("\n\n") == STORY


def test_a_story_under_its_own_headline_wins_over_a_much_longer_one_loaded_below() -> None:
    # An endless-scroll page: the page's story has a real body but ten times less text than the next one.
    story = STORY + AFTER_SUBHEADING
    longer = [f"{text} The next story is much longer than the first one on purpose." for text in story * 8]
    assert extract_html(html_article(two_story_page(story, longer))).body.split("\n\n") == story


def test_the_standfirst_under_the_headline_is_kept_but_labels_and_bylines_are_not() -> None:
    standfirst = "Engineers say the crossing can no longer carry heavy traffic safely after a century of use."
    page = f"""<html><head><meta property="og:title" content="Council votes to close old harbour bridge"></head>
<body><article><h1>Council votes to close old harbour bridge</h1>
<h2>Harbour Times: council votes to close the old harbour bridge</h2>
<h2>{standfirst}</h2><ul><li>By Jane Doe</li><li>5 min read</li></ul>
<div class="ad"><p>Advertisement: buy the best boats in the harbour at our shop today.</p></div>
{story_html(STORY)}</article></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == [standfirst, *STORY]
    # Without a headline above, only a heading right before the first paragraph is the story's.
    page = f"""<html><body><div><h3>Latest</h3><p>Short line</p><h2>{standfirst}</h2>
{story_html(STORY)}</div></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == [standfirst, *STORY]
    # A label heading ("In short") over a box is not a standfirst.
    page = f"<html><body><article><h1>Bridge closed</h1><h2>In short</h2>{story_html(STORY)}</article></body></html>"
    assert extract_html(html_article(page)).body.split("\n\n") == STORY


def test_a_closing_sentence_after_the_last_paragraph_stays_and_a_credit_line_goes() -> None:
    closing = "The full report is online."
    page = f"""<html><body><article><h1>Bridge closed</h1><div class="text">{story_html(STORY)}
<p>{closing}</p><p>Reporting by Jane Doe</p><p>(Source: dpa)</p></div></article></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == [*STORY, closing]


def test_story_sections_in_boxes_of_one_template_are_joined() -> None:
    # A page builder puts each section in its own box with the same class; the teasers beside them are links.
    sections = [
        ("Who pays", "The regional government is to pay two thirds of the cost of the new crossing, the council said."),
        ("Who objects", "The chamber of commerce wants the bridge kept open for vans until the new one is built."),
        ("What now", "The consultation on the design opens in January; a decision is expected before the summer."),
    ]
    boxes = f'<div class="text-block">{story_html(STORY + AFTER_SUBHEADING)}</div>' + "".join(
        f'<div class="text-block"><h2>{heading}</h2><p>{text}</p></div>' for heading, text in sections
    )
    teasers = "".join(
        f'<div class="teaser"><a href="/{i}">Another story about the harbour district, number {i}, '
        f"with a long linked headline</a></div>"
        for i in range(3)
    )
    page = f"""<html><body><div class="page"><h1>Bridge closed</h1>{boxes}{teasers}</div></body></html>"""
    expected = STORY + AFTER_SUBHEADING + [line for section in sections for line in section]
    assert extract_html(html_article(page)).body.split("\n\n") == expected
    # One box of that template after the story is an "About us", not a section.
    about = [
        "Harbour Times is the independent newspaper of the harbour district.",
        "It has been published every day.",
        "Its readers and staff are its owners.",
    ]
    page = f"""<html><body><div class="page"><h1>Bridge closed</h1>
<div class="text-block">{story_html(STORY + AFTER_SUBHEADING)}</div>
<div class="text-block">{story_html(about)}</div>
</div></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == STORY + AFTER_SUBHEADING


def test_sections_are_known_by_their_first_class_and_may_carry_h1_headings() -> None:
    # Builders add a per-box class after the template's own ("text-block custom-4711") and some give every
    # section an <h1>; the boxes are still one story, not several.
    sections = [
        ("Who pays", "The regional government is to pay two thirds of the cost of the new crossing, the council said."),
        ("Who objects", "The chamber of commerce wants the bridge kept open for vans until the new one is built."),
        ("What now", "The consultation on the design opens in January; a decision is expected before the summer."),
    ]
    boxes = "".join(
        f'<div class="text-block custom-{i}"><h1>{heading}</h1><p>{text}</p><p>{text}</p></div>'
        for i, (heading, text) in enumerate(sections)
    )
    page = f"""<html><body><div class="page"><div class="text-block custom-9"><h1>Bridge closed</h1>
{story_html(STORY + AFTER_SUBHEADING)}</div>{boxes}<div class="promo"><p>Our seminar on bridges: book a place
today and learn all about the harbour crossings of the region with our experts.</p></div></div></body></html>"""
    # (An <h1> is the headline's tag: it never enters the body, whichever box it heads.)
    expected = STORY + AFTER_SUBHEADING + [line for _, text in sections for line in (text, text)]
    assert extract_html(html_article(page)).body.split("\n\n") == expected


def test_a_quoted_post_stays_whatever_its_class_says() -> None:
    # An embedded post is marked up as a block quote with the network's name as class ("twitter-tweet").
    quoted = "The bridge will close to cars on 1 April, and the ferry will run every ten minutes instead."
    page = f"""<html><body><article><h1>Bridge closed</h1>{story_html(STORY[:2])}
<blockquote class="twitter-tweet"><p>{quoted}</p></blockquote>{story_html(STORY[2:])}
<div class="twitter-share"><a href="/share">Share on Twitter</a></div></article></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == [*STORY[:2], quoted, *STORY[2:]]


def test_teaser_list_inside_the_story_box_is_dropped() -> None:
    # Items that each open with a linked headline and go on with a blurb are teasers, even between paragraphs.
    teasers = "".join(
        f'<li><a href="/{i}">Other headline {i}</a> A blurb about another story entirely, long enough to read.</li>'
        for i in range(5)
    )
    page = f"""<html><body><div><h1>Ferry routes closed</h1><p>{STORY[0]}</p><ul>{teasers}</ul>
{story_html(STORY[1:])}</div></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == STORY


def test_dialog_overlay_is_not_text() -> None:
    consent = "We and our 223 partners store and access personal data on your device to show you adverts."
    page = f"""<html><body><article>{story_html(STORY[:2])}
<div class="cmp"><div role="dialog"><p>{consent}</p><p>{consent} Accept all or manage choices.</p></div></div>
<p>{STORY[2]}</p></article></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == STORY


def test_story_only_in_script_page_state_is_found() -> None:
    markup = story_html(STORY + AFTER_SUBHEADING)
    state = json.dumps({"article": {"contentHtml": markup}}).replace("<", "\\u003c").replace(">", "\\u003e")
    page = f"""<html><head><title>Council votes to close old harbour bridge</title></head>
<body><div id="app">Loading...</div><script>window.__STATE__ = {state};</script></body></html>"""
    article = extract_html(html_article(page))
    assert article.body.split("\n\n") == STORY + AFTER_SUBHEADING


def test_story_only_in_a_client_side_template_is_found() -> None:
    # A blog engine ships the post as a template that a script renders on load; a plain script is still code.
    page = f"""<html><body><header><p>The latest news from the harbour office, every week.</p></header>
<div class="post-body"><script type="text/template">{story_html(STORY + AFTER_SUBHEADING)}</script></div>
<script>var note = "{"<p>Not a story</p>" * 4}";</script></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == STORY + AFTER_SUBHEADING


def test_xml_declaration_and_comments_do_not_break_parsing() -> None:
    page = f"""<?xml version="1.0" encoding="utf-8"?>
<html><body><article><!-- lead --><p>{STORY[0]}</p><p>{STORY[1]}<!-- ad --> {STORY[2]}</p></article></body></html>"""
    assert extract_html(html_article(page)).body.split("\n\n") == [STORY[0], f"{STORY[1]} {STORY[2]}"]


def test_pages_are_parsed_with_beautifulsoup() -> None:
    assert isinstance(parse_html("<html><body><p>x</p></body></html>"), BeautifulSoup)


@pytest.mark.parametrize("text", ["story.html", "https://example.org/story", "<?xml version='1.0'?><p>x</p>"])
def test_markup_bs4_would_warn_about_parses_quietly(text: str) -> None:
    # Warnings are errors in the test run: bs4 warns on short plain text that looks like a file name or
    # URL and on pages starting with an XML declaration.
    assert text_of(parse_html(text)).strip() in (text, "x")


def test_ruby_readings_and_code_are_not_text() -> None:
    page = parse_html("<h1>東京<rt>とうきょう</rt>の<script>var a = 1;</script>ニュース<style>p{}</style></h1>")
    assert text_of(page.h1) == "東京のニュース"


def test_collector_is_restored_after_extraction() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
