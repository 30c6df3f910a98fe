"""manage.py import_places FILE [--dry-run]: the staff import, from a shell (see services.places_import)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.opendata import reading, services


class Command(BaseCommand):
    help = "Importe les lieux d'un fichier CSV au standard national des lieux de médiation numérique (tout ou rien)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Chemin du fichier CSV")
        parser.add_argument("--dry-run", action="store_true", help="Vérifier seulement : rien n'est enregistré.")

    def handle(self, *args, file, dry_run, verbosity, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        try:
            reading.check_size(path.stat().st_size)  # before reading it into memory
            report = services.places_import(data=path.read_bytes(), filename=path.name, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Fichier {report.filename} ({report.encoding}, séparateur {report.delimiter_name})")
        for warning in report.warnings:
            self.stdout.write(f"Remarque : {warning}")
        for row in report.rows:
            # Every line at -v 2; otherwise those with something to say.
            if verbosity >= 2 or row.messages:
                self.stdout.write(f"Ligne {row.line} [{row.status_label}] {row.name}")
                for message in row.messages:
                    self.stdout.write(f"  {message}")
        if report.has_errors:
            self.stdout.write(report.summary)
            raise CommandError(f"Aucun lieu importé : {formats.count(report.rows_in_error, 'ligne')} en erreur.")
        self.stdout.write(self.style.SUCCESS(report.summary))
