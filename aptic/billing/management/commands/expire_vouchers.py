from django.core.management.base import BaseCommand

from aptic.billing.services import expiry_credit_notes_issue
from aptic.core import formats
from aptic.vouchers.lifecycle import vouchers_expire


class Command(BaseCommand):
    help = (
        "Tâche quotidienne : expire les chèques des commandes dont la date de tolérance est passée, "
        "puis émet l'avoir de leur valeur faciale à chaque commanditaire."
    )

    def handle(self, *args, **options):
        expired = vouchers_expire()
        for order_id, count in expired.items():
            self.stdout.write(
                f"Commande n° {order_id} : {formats.count(count, 'chèque')} {formats.plural(count, 'expiré')}."
            )
        total = sum(expired.values())
        self.stdout.write(f"{formats.count(total, 'chèque')} {formats.plural(total, 'expiré')} au total.")
        for note in expiry_credit_notes_issue():
            self.stdout.write(f"Avoir {note.number} émis à {note.buyer_name} : {formats.euros(note.total_cents)}.")
