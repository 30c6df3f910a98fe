from django.core.management.base import BaseCommand, CommandError

from aptic.core.errors import DomainError
from aptic.demo.services import demo_build


class Command(BaseCommand):
    help = "Construit le jeu de démonstration (une seule fois ; sans effet s'il existe déjà)."

    def handle(self, *args, **options):
        try:
            context = demo_build()
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if context is None:
            self.stdout.write("Données de démonstration déjà présentes.")
            return
        self.stdout.write(self.style.SUCCESS(f"Données de démonstration créées : {len(context.accounts)} comptes."))
