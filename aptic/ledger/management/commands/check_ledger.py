import sys

from django.core.management.base import BaseCommand

from aptic.core import formats
from aptic.ledger.invariants import checks


class Command(BaseCommand):
    help = "Vérifie les invariants du grand livre ; code de sortie non nul en cas d'anomalie."

    def handle(self, *args, **options):
        breaches = []
        for check in checks():
            found = check()
            name = check.__name__.replace("_", " ")
            if found:
                self.stdout.write(self.style.ERROR(f"✗ {name} : {formats.count(len(found), 'anomalie')}"))
                for breach in found:
                    self.stdout.write(f"    {breach}")
            else:
                self.stdout.write(self.style.SUCCESS(f"✓ {name}"))
            breaches.extend(found)
        if breaches:
            self.stderr.write(f"{formats.count(len(breaches), 'anomalie')} dans le grand livre.")
            sys.exit(1)
        self.stdout.write("Grand livre cohérent.")
