"""`hotline control_keys list|rotate|retire KID`: the pass-signing keys (private keys are
never printed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from hotline.control.models import SigningKey
from hotline.control.services import ControlError, retire_key, rotate_key
from hotline.orders.services import system_actor


class Command(BaseCommand):
    help = "签名密钥：列出、轮换、停用"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "rotate", "retire"])
        parser.add_argument("kid", nargs="?")

    def handle(self, *args, action: str, kid: str | None, **options):
        if action == "rotate":
            key = rotate_key(None)
            self.stdout.write(f"新密钥 {key.kid} 已启用，旧密钥继续用于验证")
        elif action == "retire":
            if not kid:
                raise CommandError("请给出要停用的密钥编号")
            from hotline.accounts.roles import Role

            actor = system_actor()
            actor._hotline_roles = {Role.ADMIN}  # the command line is the administrator
            try:
                retire_key(actor, kid)
            except ControlError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"密钥 {kid} 已停用，它签发的凭证将被拒绝")
        for key in SigningKey.objects.all():
            state = f"停用于 {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "有效"
            self.stdout.write(f"{key.kid}  {key.created_at:%Y-%m-%d %H:%M}  {state}")
