"""Running the app for people: one waitress process, or several gunicorn worker processes.

How many processes is one setting, WEB_PROCESSES (ARCHIVE_WEB_PROCESSES); unset, the engine says
(`SearchBackend.web_processes`): one for Whoosh, whose searches run under this process's interpreter
lock and whose caches every process holds again; one per core for OpenSearch, where the web tier
holds no index state and each process only shapes requests and results.

Why two servers. One process: waitress, as before (pure Python, runs anywhere, Windows too).
Several: gunicorn's pre-fork arbiter with threaded workers (`gthread`, SERVER_THREADS threads each,
as waitress has). Several waitress processes on one port would need a supervisor of our own; gunicorn
is that supervisor, mature and small: a killed or crashed worker is replaced at once (tested with
SIGKILL), SIGTERM and Ctrl+C stop the workers gracefully, SIGHUP reloads them. It runs on Linux and
macOS only; where it cannot run, an unset WEB_PROCESSES falls back to one waitress process and an
explicit one above 1 is refused with that reason.

Each worker builds its own app (`create_app` with the parent's settings) after the fork, never
before: an open index or a cluster connection shared by two processes would mix their reads. Its
warmer thread warms its searchers in the background, as after a reindex.
"""

from __future__ import annotations

import signal
from collections.abc import Callable

from flask import Flask

SERVER_THREADS = 8
# Beyond this many processes a 2-core to 32-core machine gains nothing and the memory is wasted; a
# setting above it is a typo, refused before anything starts.
MAX_WEB_PROCESSES = 64


class ServerSettingError(ValueError):
    """WEB_PROCESSES cannot be used as given; the message says why and what to set."""


def several_processes_possible() -> str | None:
    """Return why several web processes cannot run here (gunicorn missing or not for this system), or None."""
    try:
        import gunicorn.app.base  # noqa: F401 - only whether it imports
    except ImportError as exc:  # not installed, or Windows (gunicorn needs fcntl)
        return f"several web processes need gunicorn, which runs on Linux and macOS ({exc})"
    return None


def web_processes(setting: object, engine_default: int) -> int:
    """Return how many web processes to run: WEB_PROCESSES when set (validated), else the engine's default."""
    if setting is None or setting == "":
        if engine_default > 1 and several_processes_possible():
            return 1
        return max(1, min(engine_default, MAX_WEB_PROCESSES))
    wrong = ServerSettingError(f"WEB_PROCESSES must be a whole number from 1 to {MAX_WEB_PROCESSES}, not {setting!r}")
    if isinstance(setting, bool) or not isinstance(setting, (int, str)):
        raise wrong
    try:
        count = int(setting)
    except ValueError:
        raise wrong from None
    if not 1 <= count <= MAX_WEB_PROCESSES:
        raise wrong
    if count > 1 and (reason := several_processes_possible()):
        raise ServerSettingError(f"WEB_PROCESSES={count}: {reason}; set it to 1")
    return count


def run_one_process(app: Flask, host: str, port: int) -> None:
    """Serve `app` with waitress in this process until Ctrl+C or SIGTERM stops it (then return, as gunicorn does)."""
    from waitress.server import create_server

    server = create_server(app, host=host, port=port, threads=SERVER_THREADS)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()


def run_processes(make_app: Callable[[], Flask], host: str, port: int, processes: int) -> None:
    """Serve with gunicorn: `processes` workers, each calling `make_app()` after the fork; ends the process."""
    from gunicorn.app.base import BaseApplication

    options = {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": processes,
        "worker_class": "gthread",
        "threads": SERVER_THREADS,
        # Workers are built after the fork (see the module docstring), never preloaded.
        "preload_app": False,
        # A search has its own time limit (SEARCH_TIME_LIMIT); a worker whose main loop is silent this
        # long is stuck for another reason and is replaced.
        "timeout": 60,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "archive-web",
        # gunicorn's control socket is one file in the user's home (~/.gunicorn/gunicorn.ctl) that two
        # archives served side by side would share; signals do what it offers (TERM stops, HUP reloads).
        "control_socket_disable": True,
    }

    class Workers(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return make_app()

    Workers().run()
