"""What `make run` does before serving: reference data and demo data, each loaded only once."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.urls import reverse

from aptic.accounts.demo import demo_totp_secret
from aptic.accounts.models import Membership
from aptic.demo.builders.organisations import SHOWN
from aptic.demo.services import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Charge les territoires, le vocabulaire et la démonstration si besoin, puis affiche les comptes de démo."

    def handle(self, *args, **options):
        call_command("load_territories", stdout=self.stdout)
        call_command("load_vocabulary", stdout=self.stdout)
        call_command("seed_demo", stdout=self.stdout)
        self.print_accounts()

    def print_accounts(self):
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe pour tous : {DEMO_PASSWORD})")
        memberships = Membership.objects.filter(user__email__in=SHOWN).select_related("user", "organisation")
        for membership in sorted(memberships, key=lambda m: SHOWN.index(m.user.email)):
            self.stdout.write(
                f"  {membership.user.email:<45} {membership.get_role_display():<15} {membership.organisation.name}"
                f" ({membership.organisation.get_kind_display()})"
            )
        back_office = settings.SITE_URL + reverse("admin:index")
        self.stdout.write(f"  Back-office : {back_office} (compte equipe@demo.aptic.fr)")
        self.stdout.write(
            f"  Équipe #APTIC, double authentification : clé {demo_totp_secret()} dans une application"
            " d'authentification, ou le code du moment : make demo-code"
        )
