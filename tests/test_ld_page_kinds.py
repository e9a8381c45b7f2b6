"""Class, source, sentence and ontology pages: what each kind of page must (and must not) show."""

from __future__ import annotations

import html
import re

S08 = (
    "The BRICS bloc, originally composed of Brazil, Russia, India, China, and South Africa, has expanded to include "
    "Egypt, Ethiopia, Indonesia, Iran, and the United Arab Emirates."
)


def page(live_server, path: str) -> str:
    response = live_server.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    return html.unescape(response.text)


def test_a_class_page_lists_its_instances_compactly_and_no_unnamed_nodes(live_server):
    text = page(live_server, "/page/ontology/State")
    assert "(unnamed node)" not in text
    instances = re.search(r'<section class="instances">(.*?)</section>', text, re.S).group(1)
    names = re.findall(r'<a class="local" href="/id/[^"]+"[^>]*>([^<]+)</a>', instances)
    assert {"Brazil", "Iran", "Russia"} <= set(names)
    assert names == sorted(names, key=str.casefold)
    assert "<blockquote" not in instances


def test_a_source_page_reads_in_order_with_each_segment_once(live_server):
    text = page(live_server, "/page/source/article")
    body = re.search(r'<section class="source-text">(.*?)</section>', text, re.S).group(1)
    ids = re.findall(r'<div class="segment[^"]*" id="(s\d+)"', body)
    assert ids and len(ids) == len(set(ids))
    assert [int(i[1:]) for i in ids] == sorted(int(i[1:]) for i in ids)
    assert body.count(S08) == 1
    assert "claim " in body


def test_a_sentence_page_is_headed_by_its_whole_quote(live_server):
    heading = re.search(r"<h1>(.*?)</h1>", page(live_server, "/page/source/article/s08"), re.S).group(1)
    assert heading.strip() == S08 and "…" not in heading


def test_ontology_docs_have_no_stray_bracket_nor_raw_ontology_type_nor_repeated_description(live_server):
    text = page(live_server, "/page/ontology")
    restrictions = re.findall(r"<dt>restriction</dt><dd><code>(.*?)</code></dd>", text)
    assert restrictions
    assert all(r.count("(") == r.count(")") for r in restrictions)
    header = re.search(r'<table class="header-table">(.*?)</table>', text, re.S).group(1)
    assert "http://www.w3.org/2002/07/owl#Ontology" not in header
    lead = re.search(r'<p class="lead">(.*?)</p>', text, re.S).group(1)
    assert text.count(lead) == 1


def test_a_defined_class_sits_under_its_named_superclass(live_server):
    text = page(live_server, "/page/ontology")
    entry = re.search(r'<div class="term" id="MemberState">(.*?)</div>', text, re.S).group(1)
    assert re.search(r"<dt>subclass of</dt><dd>.*bkg:State", entry, re.S)


def test_the_provenance_graph_is_named_by_its_label_on_pages(live_server):
    text = page(live_server, "/page/source/article")
    assert "graph:provenance</a>" not in text
    assert "Provenance of the claims" in text


def test_start_page_counts_sentences_and_headings_apart(live_server):
    text = page(live_server, "/")
    stats = re.sub(r"<[^>]+>", "", re.search(r'<p class="stats">(.*?)</p>', text, re.S).group(1))
    # the title and the headings s04 and s10 (the aims they state) are quoted by claims
    assert re.search(r"\b24 sentences and 3 headings quoted", " ".join(stats.split()))
