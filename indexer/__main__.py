"""`python -m indexer`: reindex the corpus from the command line (same as `flask --app app reindex`)."""

from indexer.cli import main

main(prog_name="python -m indexer")
