"""The reindex command through the Flask CLI runner, `python -m indexer`, and `python -m indexer.extract`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from conftest import PROJECT_ROOT

from app import create_app
from indexer.cli import Progress

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


def run_indexer(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin"} | (env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )


def test_json_lists_skips_and_the_run_still_succeeds_unless_strict(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": STORY, "empty.txt": "", "a.meta.json": "{oops"})
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "index"), "--json", "--workers", "2"]
    done = run_indexer(*args)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["skipped"] == [{"path": "empty.txt", "reason": "file is empty"}]
    assert [item["path"] for item in data["warnings"]] == ["a.txt"] and data["workers"] == 2
    assert data["report"] == [{"source": None, "articles": 1, "no_date": 1, "no_author": 1, "no_language": 0}]
    args[-1] = "1"  # in-process from here on: quicker, and the option is covered above
    strict = run_indexer(*args, "--strict")
    assert strict.returncode == 3 and "1 file(s) or page(s) skipped" in strict.stderr
    assert json.loads(strict.stdout)["unchanged"] == 1  # the summary is still printed
    (corpus / "empty.txt").unlink()
    assert run_indexer(*args, "--strict").returncode == 0  # a warning alone is not a failure


def test_flask_reindex_accepts_workers_and_strict(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": STORY, "broken.txt": b"\x00\x01\x02" * 50})
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "CORPUS_DIR": str(corpus)})
    result = app.test_cli_runner().invoke(args=["reindex", "--workers", "1", "--strict", "--json"])
    assert result.exit_code == 3, result.output
    assert json.loads(result.output.splitlines()[0])["workers"] == 1
    assert app.test_cli_runner().invoke(args=["reindex", "--workers", "0"]).exit_code == 2


def test_rehash_finds_a_change_that_kept_size_and_modification_time(make_corpus, tmp_path):
    corpus = make_corpus({"a.txt": STORY})
    os.utime(corpus / "a.txt", (1_700_000_000, 1_700_000_000))  # saved long ago: its stat is remembered
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "CORPUS_DIR": str(corpus)})
    runner = app.test_cli_runner()
    assert json.loads(runner.invoke(args=["reindex", "--json"]).output)["added"] == 1
    (corpus / "a.txt").write_text(STORY.replace("Erbil", "Duhok"), encoding="utf-8")  # same size
    os.utime(corpus / "a.txt", (1_700_000_000, 1_700_000_000))
    assert json.loads(runner.invoke(args=["reindex", "--json"]).output)["unchanged"] == 1  # trusted, so missed
    rehashed = json.loads(runner.invoke(args=["reindex", "--rehash", "--json"]).output)
    assert (rehashed["updated"], rehashed["unchanged"]) == (1, 0)
    done = run_indexer("--corpus", str(corpus), "--index", str(tmp_path / "index"), "--rehash", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unchanged"] == 1


def test_a_second_reindex_is_refused_with_a_clear_message(make_corpus, tmp_path):
    from search.backends.whoosh.store import ArchiveIndex
    from search.backends.whoosh.writer import IndexUpdate

    corpus = make_corpus({"a.txt": STORY})
    archive = ArchiveIndex(tmp_path / "index")
    with IndexUpdate(archive):
        done = run_indexer("--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert done.returncode == 75 and "another reindex is already running" in done.stderr
    assert f"pid {os.getpid()}" in done.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_a_bar_on_a_terminal_and_logs_lines_otherwise():
    bar = Progress(Terminal())
    for done in range(1, 6):
        bar(done, 5)
    drawn = bar.stream.getvalue()
    assert drawn.startswith("\r[") and "5/5 files" in drawn and "ETA" in drawn and drawn.endswith("\n")
    log = Progress(io.StringIO())
    for done in range(1, 6):
        log(done, 5)
    log.note("committing 5 articles to the index")
    lines = log.stream.getvalue().splitlines()
    # The first file (the workers are up) and the last; in between only every LOG_EVERY_SECONDS.
    assert lines == [lines[0], lines[1], "reindex: committing 5 articles to the index"]
    assert lines[0].startswith("reindex: 1/5 files") and lines[1].startswith("reindex: 5/5 files") and "/s" in lines[1]


def test_size_limits_come_from_options_or_the_environment(make_corpus, tmp_path):
    long_story = "Budget talks\n\n" + "Officials met in Erbil on Tuesday to discuss the budget. " * 40
    corpus = make_corpus({"short.txt": STORY, "long.txt": long_story})
    args = [sys.executable, "-m", "indexer", "--json", "--workers", "1", "--corpus", str(corpus)]
    env = {"PATH": "/usr/bin:/bin"}
    by_option = subprocess.run(
        [*args, "--index", str(tmp_path / "a"), "--max-text-chars", "1000"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    skipped = {item["path"]: item["reason"] for item in json.loads(by_option.stdout)["skipped"]}
    assert list(skipped) == ["long.txt"] and "over the 1,000-character limit" in skipped["long.txt"]
    by_env = subprocess.run(
        [*args, "--index", str(tmp_path / "b")],
        cwd=PROJECT_ROOT,
        env={**env, "ARCHIVE_MAX_FILE_MB": "0.001"},
        capture_output=True,
        text=True,
    )
    reasons = {item["path"]: item["reason"] for item in json.loads(by_env.stdout)["skipped"]}
    assert set(reasons) == {"long.txt"} and "1,048-byte limit" in reasons["long.txt"]
