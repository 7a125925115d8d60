"""The change audit (django-auditlog): who created, changed or deleted which record, when, and each changed
field's old and new value. Each app registers its own models in its AppConfig.ready(), naming the fields to mask:
a masked field's change is recorded, its values are not, so the audit never becomes a second copy of residents'
words, names and contacts. Privacy officers read it in the admin (jii/admin.py); nobody edits it."""

from auditlog.diff import model_instance_diff
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.db import transaction

MASK = "••••"


def register(model, *, masked=(), m2m=(), excluded=()):
    """Audit a model's own columns, the `masked` ones by MASK only, and changes to its `m2m` fields. Only its own
    columns: on a create or delete auditlog would also write its reverse relations, a related record's str()
    (a volunteer's name, say) among them."""
    columns = [field.name for field in model._meta.concrete_fields if field.name not in excluded]
    auditlog.register(model, include_fields=columns, mask_fields=list(masked), m2m_fields=set(m2m))


def update(queryset, **values) -> int:
    """`queryset.update(**values)`, audited: an UPDATE sends no signals, so auditlog would not see it. The rows are
    read (locked) before and after, in one transaction, and each changed one is logged as its save would be. The
    update keeps the queryset's conditions, so a compare-and-set (`filter(status="open").update(…)`) still is one."""
    model = queryset.model
    with transaction.atomic():
        before = {row.pk: row for row in queryset.select_for_update(of=("self",))}
        if not before:
            return 0
        count = queryset.filter(pk__in=before).update(**values)
        if count and auditlog.contains(model):
            for row in model._base_manager.filter(pk__in=before):
                changes = model_instance_diff(
                    before[row.pk], row, list(values), use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
                )
                if changes:
                    LogEntry.objects.log_create(row, action=LogEntry.Action.UPDATE, changes=changes)
    return count


def masked(value: str) -> str:
    """AUDITLOG_MASK_CALLABLE: a fixed marker, never part of the value (auditlog's own mask keeps half of it).
    An empty value stays empty ("None" is what auditlog writes for the empty side of a create or delete), so the
    audit still tells a field filled in from one emptied or changed."""
    return value if value in ("", "None") else MASK


def record_number_only(sender, instance, **kwargs):
    """pre_save of auditlog's LogEntry: a record's str() is often a person's name (a resident, a child, an
    account), so the audit names the record by its number only; the admin shows its kind beside it."""
    instance.object_repr = f"#{instance.object_pk}"


class AuditActorMiddleware(AuditlogMiddleware):
    """auditlog's middleware, handed the request's user unevaluated: it is loaded (a session read) only when a
    change is logged, not on every page. Anonymous requests (public forms, status links) log no actor."""

    @staticmethod
    def _get_actor(request):
        return getattr(request, "user", None)

    def __call__(self, request):
        # A page that is only read changes nothing audited: no need to set up the context on every view of it.
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        return super().__call__(request)
