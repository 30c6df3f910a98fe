"""The current second-factor code of the demo staff accounts (embedded mode only, ADR 0019)."""

import binascii
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from aptic.accounts.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Affiche le code de double authentification du moment pour les comptes de l'équipe de démonstration."

    def handle(self, *args, **options):
        if not settings.EMBEDDED:
            raise CommandError("Les comptes de démonstration n'existent qu'en mode embarqué (APTIC_ENV=embedded).")
        code = totp(binascii.unhexlify(DEMO_TOTP_KEY))
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"Code du moment : {code:06d} (encore {left} s ; un code ne sert qu'une fois)")
