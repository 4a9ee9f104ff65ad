from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive.accounts import ROLES, assign_role, setup_roles


class Command(BaseCommand):
    help = (
        "Create or update the role groups (Readers, Editors, Administrators) and their permissions; "
        "with --user and --role, give a user a role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", help="username to give a role")
        parser.add_argument("--role", choices=list(ROLES), help="the role for --user")

    def handle(self, *args, user=None, role=None, **options):
        if bool(user) != bool(role):
            raise CommandError("Give --user and --role together.")
        counts = setup_roles()
        self.stdout.write("Roles: " + ", ".join(f"{name} ({n} permissions)" for name, n in counts.items()))
        if user:
            try:
                account = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
            assign_role(user=account, role=role)
            self.stdout.write(f"{user} is now {'an' if role[0] in 'aeiou' else 'a'} {role}.")
