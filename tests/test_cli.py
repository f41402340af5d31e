"""The reindex command through the Flask CLI runner, `python -m indexer`, and `python -m indexer.extract`."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import PROJECT_ROOT

from app import create_app

STORY = "Budget talks\n\nOfficials met in Erbil on Tuesday to discuss the budget. The talks lasted for hours.\n"


def test_flask_reindex_prints_a_summary(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": STORY, "broken.txt": b"\x00\x01\x02" * 50})
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "CORPUS_DIR": str(corpus)})
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "1 articles" in result.output and "added 1" in result.output
    assert "skipped broken.txt: binary data" in result.output


def test_flask_reindex_json_and_options_override_config(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": STORY})
    app = create_app({"INDEX_DIR": str(tmp_path / "unused"), "CORPUS_DIR": str(tmp_path / "missing")})
    runner = app.test_cli_runner()
    args = ["reindex", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--json"]
    first = json.loads(runner.invoke(args=args).output)
    assert (first["added"], first["unchanged"], first["skipped"]) == (1, 0, [])
    second = json.loads(runner.invoke(args=[*args, "--full"]).output)
    assert (second["added"], second["unchanged"], second["full"]) == (0, 1, True)
    assert not (tmp_path / "unused").exists()


def test_missing_corpus_is_a_clear_failure(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "CORPUS_DIR": str(tmp_path / "nope")})
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 1
    assert "corpus folder" in result.output and "does not exist" in result.output


def test_python_m_indexer_uses_the_environment(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": STORY})
    env = {"ARCHIVE_CORPUS_DIR": str(corpus), "ARCHIVE_INDEX_DIR": str(tmp_path / "index"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "--json"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 1
    assert (tmp_path / "index" / "CURRENT").exists()


def test_extract_command_prints_the_article_json(make_corpus):
    corpus = make_corpus({"a.txt": STORY})
    done = subprocess.run(
        [sys.executable, "-m", "indexer.extract", str(corpus / "a.txt")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"title", "body", "author", "date", "language", "site", "dateline"} <= set(data)
    assert data["title"] == "Budget talks" and "Officials met in Erbil" in data["body"]
    assert isinstance(data["author"], list)


def test_extract_command_reports_a_skipped_file(make_corpus):
    corpus = make_corpus({"empty.txt": ""})
    done = subprocess.run(
        [sys.executable, "-m", "indexer.extract", str(corpus / "empty.txt")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "file is empty" in done.stderr
