from django.core.management.base import BaseCommand

from aptic.vocabulary.services import vocabulary_load


class Command(BaseCommand):
    help = "Charge le vocabulaire du standard national des lieux de médiation numérique (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, force=False, **options):
        counts = vocabulary_load(force=force)
        if counts is None:
            self.stdout.write("Vocabulaire déjà à jour.")
            return
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Vocabulaire chargé : {summary}."))
