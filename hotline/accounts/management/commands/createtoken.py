"""`hotline createtoken USERNAME`: prints only the new bearer token."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hotline.accounts.services import create_token


class Command(BaseCommand):
    help = "为用户签发一个接口令牌（Authorization: Bearer <令牌>），只输出令牌本身。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途说明")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户不存在或已停用：{username}。")
        self.stdout.write(create_token(user, name=name))
