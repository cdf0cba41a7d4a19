"""`hotline serve [--host H] [--port N] [--workers N] [--threads N] [--server S]`: the
production WSGI server.

Two servers, chosen with ``--server`` (or HOTLINE_SERVER); the default is granian when it is
installed, else gunicorn:

- granian (Rust HTTP; ``--interface wsgi``): each request cost the workers ~0.35 ms of CPU
  beyond the application against ~0.65 ms for gunicorn's gthread workers and ~0.85 ms for its
  sync workers (docs/PERFORMANCE.md, "Orders: receive over HTTP"). Keep-alive is on. It has no
  per-request timeout: a stuck request holds its thread until the process is restarted.
- gunicorn with gthread workers: keep-alive (a machine client posting orders one after
  another saves a TCP handshake per order) and a 60 s worker timeout.

With one thread (the default) a worker runs one request at a time, which suits SQLite's single
writer. Each worker warms the triage model and the knowledge index before its first request.
The access log is on unless HOTLINE_ACCESS_LOG=off (the benchmarks turn it off).
"""

import importlib.util
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SERVERS = ("granian", "gunicorn")


def default_server() -> str:
    chosen = os.environ.get("HOTLINE_SERVER", "")
    if chosen:
        return chosen
    return "granian" if importlib.util.find_spec("granian") else "gunicorn"


class Command(BaseCommand):
    help = "启动生产级 WSGI 服务（granian 或 gunicorn；静态文件由 whitenoise 提供）。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOTLINE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HOTLINE_PORT", 8000)))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("HOTLINE_WORKERS", 2))
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("HOTLINE_THREADS", 1)),
            help="每个工作进程的线程数（SQLite 建议 1，PostgreSQL 可加大）",
        )
        parser.add_argument(
            "--server",
            default=default_server(),
            help="granian（默认，已安装时）或 gunicorn",
        )

    def handle(self, *args, host, port, workers, threads, server, **options):
        if not 0 < port < 65536:
            raise CommandError(f"端口无效：{port}（应为 1–65535）。")
        if workers < 1:
            raise CommandError(f"进程数无效：{workers}（至少 1）。")
        if threads < 1:
            raise CommandError(f"线程数无效：{threads}（至少 1）。")
        if server not in SERVERS:
            raise CommandError(f"未知的服务器：{server}（可选 {'、'.join(SERVERS)}）。")
        if importlib.util.find_spec(server) is None:
            raise CommandError(f"未安装 {server}：pip install -r requirements.lock")
        if settings.PRODUCTION:
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
        access_log = os.environ.get("HOTLINE_ACCESS_LOG", "-")  # "off": no access log
        if server == "granian":
            argv = [
                sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host,
                "--port", str(port), "--workers", str(workers), "--blocking-threads",
                str(threads), "--no-ws", "--log-level", "warning",
                # As gunicorn does: a worker that dies is replaced, and one that does not stop
                # within 30 s of a shutdown is killed (else the server could hang on exit).
                "--respawn-failed-workers", "--workers-kill-timeout", "30",
            ]  # fmt: skip
            if access_log not in ("off", "-"):
                raise CommandError(
                    "granian 的访问日志只写到标准输出：HOTLINE_ACCESS_LOG 请设为 - 或 off"
                    "（要写入文件请用 --server gunicorn）。"
                )
            if access_log == "-":
                argv.append("--access-log")
            argv.append("hotline.config.wsgi:application")
            # granian has no worker hook: each worker warms up when it loads the application.
            os.environ["HOTLINE_WARM_ON_LOAD"] = "1"
        else:
            argv = [
                sys.executable, "-m", "gunicorn", "hotline.config.wsgi:application",
                "--bind", f"{host}:{port}", "--workers", str(workers),
                "--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "30",
                "--timeout", "60", "--config", "python:hotline.config.gunicorn",
            ]  # fmt: skip
            if access_log != "off":
                argv += ["--access-logfile", access_log]
        self.stdout.write(
            f"Hotline 正在 http://{host}:{port}/ 提供服务（{server}，{workers} 个工作进程）"
        )
        self.stdout.flush()
        os.execv(sys.executable, argv)
