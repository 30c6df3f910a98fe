import time

from django.core.management.base import BaseCommand

from aptic.territories.services import territories_load


class Command(BaseCommand):
    help = "Charge les régions, départements, EPCI et communes (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Recharger même si les fichiers n'ont pas changé.")

    def handle(self, *args, force=False, **options):
        started = time.monotonic()
        report = territories_load(force=force)
        elapsed = time.monotonic() - started
        if not report.loaded:
            self.stdout.write(f"Territoires déjà à jour ({report.communes} communes).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Territoires chargés en {elapsed:.1f} s : {report.regions} régions, "
                f"{report.departements} départements, {report.epcis} EPCI, {report.communes} communes"
                f" ({report.retired} retirées)."
            )
        )
