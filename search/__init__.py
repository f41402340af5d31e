"""The archive's search layer: our query language, the rules that define results, and the engines behind one interface.

search.archive is what the web layer and scripts call; search.backend is the interface every
engine implements; search.backends holds the engines (Whoosh, embedded, is the default).
"""
