"""Numbers without gaps or doubles (receipts, certificates): a counter row per year, locked while the next number is
taken and used in the same transaction, so a rollback gives the number back."""

from django.db import IntegrityError, transaction


def take_next(counter_model, **year) -> int:
    """The next number of the counter row `counter_model.objects.get(**year)`, created at the year's first number.
    Call inside the transaction that stores what is numbered."""
    counter = counter_model.objects.select_for_update().filter(**year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter_model.objects.create(**year)
        except IntegrityError:  # created by a parallel issuer a moment ago
            pass
        counter = counter_model.objects.select_for_update().get(**year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number
