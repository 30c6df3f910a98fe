from django.core.management.base import BaseCommand

from aptic.vouchers.lifecycle import vouchers_expire


class Command(BaseCommand):
    help = "Tâche quotidienne : expire les chèques des commandes dont la date de tolérance est passée."

    def handle(self, *args, **options):
        expired = vouchers_expire()
        for order_id, count in expired.items():
            self.stdout.write(f"Commande n° {order_id} : {count} chèque(s) expiré(s).")
        self.stdout.write(f"{sum(expired.values())} chèque(s) expiré(s) au total.")
