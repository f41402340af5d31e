"""The OpenSearch engine: the archive kept in an OpenSearch index instead of a Whoosh folder.

It will hold the OpenSearch backend (search.backend.SearchBackend over a cluster). For now it holds
what that backend is built on: the index's analysis and mapping (analysis.py), which reproduce the
Whoosh engine's per-language reading of text, and the compiler of the archive's query tree into
OpenSearch's query DSL (compiler.py). Only modules of this package may import `opensearchpy`, as
only search/backends/whoosh/ imports Whoosh: the rest of the archive stays engine-neutral.
"""
