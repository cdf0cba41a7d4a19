"""`hotline otp_reset USERNAME --reason …`: remove a user's second factor (a lost phone).

The way back in for the administrator who lost their own phone, since the admin site itself
then asks for a code; recorded in the audit log like a reset made in the admin."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hotline.accounts.services import AccountError, reset_totp


class Command(BaseCommand):
    help = (
        "重置用户的两步验证（例如手机遗失）：下次登录不再要求验证码，用户须重新启用。记入审计日志。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="重置理由（记入审计日志）")

    def handle(self, *args, username, reason, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}。")
        try:
            removed = reset_totp(user, reason=reason)
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        if removed:
            self.stdout.write(f"已重置 {username} 的两步验证；其下次登录后可重新启用。")
        else:
            self.stdout.write(f"{username} 未启用两步验证，无需重置（已记入审计日志）。")
