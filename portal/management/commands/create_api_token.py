"""manage.py create_api_token USERNAME [--scope write] [--expires-days N] [--name NAME]

The secret is printed alone on the last line of standard output, so scripts can take it with
``| tail -n 1``; it cannot be shown again.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.models import ApiToken
from portal.tokens import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its secret (alone on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default="read")
        parser.add_argument("--expires-days", type=int, default=None)
        parser.add_argument("--name", default="command line")

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist:
            raise CommandError(f"No user {options['username']!r}.") from None
        try:
            token, secret = api_token_create(
                owner=user,
                name=options["name"],
                scope=options["scope"],
                expires_days=options["expires_days"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        expiry = token.expires_at.isoformat() if token.expires_at else "never"
        self.stdout.write(
            f"Created {token.scope} token {token.name!r} for {user.get_username()} "
            f"(expires: {expiry}). Store the secret now; it is not shown again:"
        )
        self.stdout.write(secret)
