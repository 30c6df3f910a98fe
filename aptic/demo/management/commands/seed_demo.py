from django.core.management.base import BaseCommand, CommandError

from aptic.core.errors import DomainError
from aptic.demo.services import demo_build, demo_is_outdated


class Command(BaseCommand):
    help = "Construit le jeu de démonstration (une seule fois ; sans effet s'il existe déjà)."

    def handle(self, *args, **options):
        try:
            context = demo_build()
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if context is None:
            self.stdout.write("Données de démonstration déjà présentes.")
            if demo_is_outdated():
                self.stdout.write(
                    self.style.WARNING(
                        "La démonstration a été enrichie depuis la création de cette base : "
                        "`make clean` puis `make run` pour la reconstruire (efface var/)."
                    )
                )
            return
        self.stdout.write(self.style.SUCCESS(f"Données de démonstration créées : {len(context.accounts)} comptes."))
