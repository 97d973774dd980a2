"""`sinergi token create | list | revoke`: API tokens for partner systems and scripts."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sinergi.accounts.models import Agency, User
from sinergi.accounts.tokens import (
    SCOPES,
    TokenError,
    create_system_token,
    create_token,
    revoke_token,
    tokens_for_listing,
)


class Command(BaseCommand):
    help = (
        "API tokens. A partner system: sinergi token create --agency bp3mi-sulteng --name 'SIKS-NG Sentra' "
        "--scopes persons:read persons:write (creates the system's account). A person's script: --user USERNAME. "
        "Also: sinergi token list [--agency CODE], sinergi token revoke PREFIX."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token; the secret is shown once.")
        owner = create.add_mutually_exclusive_group(required=True)
        owner.add_argument(
            "--agency",
            help="Agency code: the token acts as a system account of that agency (a data officer, no password).",
        )
        owner.add_argument("--user", help="Username the token acts as (that person's agency and roles).")
        create.add_argument("--name", required=True, help="What the token is for, e.g. the partner system.")
        create.add_argument("--scopes", nargs="+", default=list(SCOPES), choices=SCOPES)

        listing = actions.add_parser("list", help="Tokens with their prefix, account, scopes and last use.")
        listing.add_argument("--agency", help="Only this agency's tokens (agency code).")

        revoke = actions.add_parser("revoke", help="Revoke a token by the prefix `token list` shows.")
        revoke.add_argument("prefix", nargs="?", default="", help="e.g. sng_AbC123")
        revoke.add_argument("--id", type=int, dest="token_id", help="The token's id, if two share a prefix.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            match options["action"]:
                case "create":
                    self._create(options)
                case "list":
                    self._list(options)
                case "revoke":
                    if not options["prefix"] and options["token_id"] is None:
                        raise CommandError("Name the token: sinergi token revoke PREFIX (see sinergi token list).")
                    token = revoke_token(actor=None, prefix=options["prefix"], token_id=options["token_id"])
                    self.stdout.write(f"Revoked {token.prefix} ({token.name}, {token.user.username}).")
        except TokenError as refusal:
            raise CommandError(str(refusal)) from refusal

    def _create(self, options: dict[str, Any]) -> None:
        if options["agency"]:
            agency = _agency(options["agency"])
            token, secret = create_system_token(
                actor=None, agency=agency, name=options["name"], scopes=options["scopes"]
            )
        else:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
            token, secret = create_token(actor=None, user=user, name=options["name"], scopes=options["scopes"])
        self.stdout.write(f"Token {token.name} for {token.user.username} ({', '.join(token.scopes)}):\n{secret}")
        self.stdout.write("Shown once: store it now. Send it as 'Authorization: Bearer <token>'.")

    def _list(self, options: dict[str, Any]) -> None:
        agency = _agency(options["agency"]) if options["agency"] else None
        tokens = list(tokens_for_listing(agency=agency))
        if not tokens:
            self.stdout.write("No tokens.")
            return
        for token in tokens:
            if token.revoked_at:
                state = f"revoked {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}"
            elif token.last_used_at:
                state = f"last used {timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}"
            else:
                state = "never used"
            agency_code = token.user.agency.code if token.user.agency else "-"
            kind = "system" if token.user.is_system_account else "user"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}\t{token.name}\t{agency_code}\t{kind} {token.user.username}\t"
                f"{' '.join(token.scopes)}\t{state}"
            )


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        known = ", ".join(Agency.objects.order_by("code").values_list("code", flat=True)[:20])
        raise CommandError(f"No agency with code {code!r}. Known codes: {known or 'none yet'}.")
    return agency
