"""Encrypt every encrypted text again with the newest of FIELD_ENCRYPTION_KEYS: run after a new key is put first,
before the old one is removed (README, "Encryption at rest: keys and rotation"). Safe to run again and to stop."""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jii.fields import EncryptedTextField, pk_batches


class Command(BaseCommand):
    help = "Re-encrypt every encrypted text with the newest of FIELD_ENCRYPTION_KEYS; prints the rows per model."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        for model in apps.get_models():
            names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
            if not names:
                continue
            rows = model._base_manager
            done = 0
            for pks in pk_batches(rows.all(), batch_size):
                # Read and written in one transaction, the rows locked: an edit made meanwhile is not overwritten.
                with transaction.atomic():
                    try:
                        batch = list(rows.select_for_update().filter(pk__in=pks).only("pk", *names))
                    except InvalidToken:
                        raise CommandError(
                            f"{model._meta.label}: a text that none of FIELD_ENCRYPTION_KEYS decrypts; "
                            "put back the key it was encrypted with"
                        ) from None
                    rows.bulk_update(batch, names)  # the newest key encrypts; no save(), so no signals
                done += len(batch)
            self.stdout.write(f"{model._meta.label}: {done} re-encrypted")
