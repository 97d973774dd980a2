from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.accounts.models import User
from sinergi.accounts.tokens import SCOPES, create_token


class Command(BaseCommand):
    help = (
        "Create an API token for a user: sinergi token create --user bp3mi.petugas --name sisko --scopes persons:read"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--user", required=True, help="Username the token acts as (agency and roles).")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. the partner system.")
        parser.add_argument("--scopes", nargs="+", default=list(SCOPES), choices=SCOPES)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        token, secret = create_token(actor=None, user=user, name=options["name"], scopes=options["scopes"])
        self.stdout.write(f"Token {token.name} for {user.username} ({', '.join(token.scopes)}):\n{secret}")
        self.stdout.write("Shown once: store it now. Send it as 'Authorization: Bearer <token>'.")
