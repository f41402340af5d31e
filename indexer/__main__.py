"""`python -m indexer`: reindex the corpus from the command line (same as `flask --app app reindex`)."""

from indexer.cli import main

# Guarded: worker processes import the main module again, and must not start a reindex of their own.
if __name__ == "__main__":
    main(prog_name="python -m indexer")
