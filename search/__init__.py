"""The archive's search engine layer: every use of Whoosh lives in this package."""
