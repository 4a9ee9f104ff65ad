import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the first admin account with a generated password, printed once. "
        "Does nothing when a superuser already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--site", default="http://127.0.0.1:8000", help="where the app is served, for the message")

    def handle(self, *args, username, site, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "Admin: sign in at /admin/ with your account "
                "(forgot the password? python manage.py changepassword USERNAME)."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        bar = "=" * 64
        self.stdout.write(
            f"{bar}\nAn admin account was created. This password is shown only once:\n"
            f"  username: {username}\n  password: {password}\n"
            f"Sign in at {site.rstrip('/')}/admin/ and change it there.\n{bar}"
        )
