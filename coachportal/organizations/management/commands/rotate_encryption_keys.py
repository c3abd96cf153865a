from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from coachportal.organizations.crypto import KeyUnreadable, rotate
from coachportal.organizations.models import ProviderCredential


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored provider key with the newest FIELD_ENCRYPTION_KEYS key. "
        "Rotate by putting a new key first, running this, then dropping the old key."
    )

    def handle(self, *args, **options):
        rotated, unreadable = 0, []
        for credential in ProviderCredential.objects.only("pk", "key_ciphertext").iterator():
            try:
                new = rotate(credential.key_ciphertext)
            except KeyUnreadable:
                unreadable.append(credential.pk)
                continue
            with transaction.atomic():
                # Only write if nobody replaced the key meanwhile.
                rotated += ProviderCredential.objects.filter(
                    pk=credential.pk, key_ciphertext=credential.key_ciphertext
                ).update(key_ciphertext=new)
        self.stdout.write(f"Re-encrypted {rotated} provider key(s) with the newest encryption key.")
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} key(s) could not be decrypted with any configured key "
                f"(credential ids {', '.join(map(str, unreadable))}); keep their old encryption key "
                "in FIELD_ENCRYPTION_KEYS or ask the organizations to paste them again."
            )
