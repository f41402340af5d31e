"""Turn saved news files (text dumps, HTML pages) into clean articles for the archive index."""
