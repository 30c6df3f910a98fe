"""manage.py import_reference_places FILE --source NAME: a source's reference places, from a shell
(see opendata.reference; the staff page queues the same import as a background job)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aptic.core.errors import DomainError
from aptic.opendata import reading
from aptic.opendata.reference import REFERENCE_MAX_BYTES, reference_places_import


class Command(BaseCommand):
    help = (
        "Importe les lieux de référence d'une source au standard national des lieux de médiation numérique : "
        "ajoute, met à jour, retire (tout ou rien)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Chemin du fichier CSV")
        parser.add_argument("--source", required=True, help="Nom de la source, ex. « Cartographie nationale »")

    def handle(self, *args, file, source, verbosity, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")

        def progress(done, total=None, message=""):
            if verbosity >= 2 and message:
                self.stdout.write(message)

        started = time.perf_counter()
        try:
            reading.check_size(path.stat().st_size, REFERENCE_MAX_BYTES)  # before reading it into memory
            report = reference_places_import(
                source=source, data=path.read_bytes(), filename=path.name, progress=progress
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for warning in report.warnings:
            self.stdout.write(f"Remarque : {warning}")
        for error in report.errors:
            self.stdout.write(error)
        if report.has_errors:
            raise CommandError(report.summary)
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        self.stdout.write(self.style.SUCCESS(f"{report.summary} ({seconds} s)"))
