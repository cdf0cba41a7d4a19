"""`hotline serve [--host H] [--port N] [--workers N]`: the production WSGI server (gunicorn)."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "用 gunicorn 启动生产级 WSGI 服务（静态文件由 whitenoise 提供）。"

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

    def handle(self, *args, host, port, workers, threads, **options):
        if not 0 < port < 65536:
            raise CommandError(f"端口无效：{port}（应为 1–65535）。")
        if workers < 1:
            raise CommandError(f"进程数无效：{workers}（至少 1）。")
        if threads < 1:
            raise CommandError(f"线程数无效：{threads}（至少 1）。")
        if settings.PRODUCTION:
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
        # gthread workers keep client connections alive (a machine client posting orders one
        # after another saves a TCP handshake per order); with one thread a worker still runs
        # one request at a time, which suits SQLite's single writer.
        argv = [
            sys.executable, "-m", "gunicorn", "hotline.config.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "30",
            "--timeout", "60", "--config", "python:hotline.config.gunicorn",
        ]  # fmt: skip
        access_log = os.environ.get("HOTLINE_ACCESS_LOG", "-")  # "off": no access log
        if access_log != "off":
            argv += ["--access-logfile", access_log]
        self.stdout.write(f"Hotline 正在 http://{host}:{port}/ 提供服务（{workers} 个工作进程）")
        self.stdout.flush()
        os.execv(sys.executable, argv)
