from django.core.management.base import BaseCommand

from archive.saved import send_digests


class Command(BaseCommand):
    help = "E-mail the daily digest of every saved search that asks for one (run it daily, or more often)."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"Digests sent: {sent}.")
