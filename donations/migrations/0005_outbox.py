from django.db import migrations


def receipt_language(language):
    return language if language in ("ja", "en") else "ja"


def move_sent_emails_to_the_outbox(apps, schema_editor):
    """Thank-yous and receipts already emailed become sent jii.Message rows, with the once keys donations/messages.py
    now writes: no gift is thanked twice and no annual run sends an old receipt again."""
    Donation = apps.get_model("donations", "Donation")
    Receipt = apps.get_model("donations", "Receipt")
    Message = apps.get_model("jii", "Message")

    def sent(template, once, address, language, when, **ids):
        return Message(
            template=template,
            once_key=f"{template}:{once}",
            address=address,
            language=language,
            ids=ids,
            state="sent",
            channel="email",
            attempts=1,
            created_at=when,
            next_attempt_at=when,
            sent_at=when,
        )

    messages = [
        sent("donation_thanks", donation.pk, donation.email, donation.language, donation.thanked_at, donation=str(donation.pk))
        for donation in Donation.objects.filter(thanked_at__isnull=False)
    ]
    for receipt in Receipt.objects.filter(emailed_at__isnull=False).select_related("donation", "payment"):
        if receipt.kind == "annual":
            latest_gift = max(receipt.covers.values_list("pk", flat=True), default=0)
            once = f"annual:{receipt.fiscal_year}:{receipt.donation_id}:{latest_gift}"
        elif receipt.replaces_id:  # reissued after a refund
            once = f"refund:{receipt.payment_id}:{receipt.payment.refunded_yen}"
        else:
            once = f"payment:{receipt.payment_id}"
        language = receipt_language(receipt.language)
        messages.append(
            sent("donation_receipt", once, receipt.donor_email, language, receipt.emailed_at, receipt=receipt.pk)
        )
    Message.objects.bulk_create(messages, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0004_translated_content"),
        ("jii", "0006_outbox"),
    ]

    operations = [
        migrations.RunPython(move_sent_emails_to_the_outbox, migrations.RunPython.noop),
        migrations.RemoveField(model_name="donation", name="thanked_at"),
        migrations.RemoveField(model_name="receipt", name="emailed_at"),
    ]
