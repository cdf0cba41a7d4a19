"""`hotline createuser USERNAME --role ROLE [--unit CODE] [--password P]`."""

from django.core.management.base import BaseCommand, CommandError

from hotline.accounts.roles import Role
from hotline.accounts.services import AccountError, create_user


class Command(BaseCommand):
    help = "创建一个带角色的用户。承办单位经办人须用 --unit 指定单位代码。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", dest="unit_code", help="承办单位代码，如 440902101、center")
        parser.add_argument("--password", help="不填则账号不能用密码登录（只用令牌）")
        parser.add_argument("--name", dest="display_name", default="", help="姓名")

    def handle(self, *args, username, role, unit_code, password, display_name, **options):
        try:
            user = create_user(
                username,
                role=role,
                unit_code=unit_code,
                password=password,
                display_name=display_name,
            )
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已创建用户 {user.username}（{Role(role).label}）。")
