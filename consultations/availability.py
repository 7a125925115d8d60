"""When a case can be booked: the times an expert, an interpreter (if the case needs one) and a room are all free,
read in a fixed number of queries whatever the number of people and appointments. The booking service still
decides (and the database, on PostgreSQL): this only offers times that should succeed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from consultations.models import Appointment, DayOff, Expert, Room


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    expert: Expert
    interpreter: Expert | None
    room: Room | None

    @property
    def value(self) -> str:
        """Ids and a time only, for the form."""
        room, interpreter = self.room.pk if self.room else 0, self.interpreter.pk if self.interpreter else 0
        return f"{self.expert.pk}-{interpreter}-{room}-{int(self.starts_at.timestamp())}"


def people(queryset, first_day, last_day):
    days_off = DayOff.objects.filter(day__gte=first_day, day__lte=last_day)
    return list(queryset.prefetch_related("hours", Prefetch("days_off", queryset=days_off)))


def works(person, start: datetime, end: datetime) -> bool:
    """In their weekly hours (Tokyo time) and not on a day off; the times given are local."""
    if any(day_off.day == start.date() for day_off in person.days_off.all()):
        return False
    return any(
        hours.weekday == start.weekday() and hours.starts <= start.time() and end.time() <= hours.ends
        for hours in person.hours.all()
    )


def free_slots(consultation, experts, *, days=14, minutes=60, step=30, limit=40) -> list[Slot]:
    """The first `limit` free times in the coming `days`, earliest first, each with the first interpreter and
    room free then (no room when none is free: fine for a call)."""
    now = timezone.localtime()
    first_day, last_day = now.date(), now.date() + timedelta(days=days)
    experts = people(experts, first_day, last_day)
    interpreters = people(consultation.interpreters(), first_day, last_day) if consultation.interpreter_needed else []
    rooms = list(Room.objects.all())
    window_end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), datetime.min.time()))
    busy = {"expert": {}, "interpreter": {}, "room": {}}
    booked = Appointment.objects.filter(status=Appointment.Status.BOOKED, starts_at__lt=window_end, ends_at__gt=now)
    ids = [expert.pk for expert in experts] + [interpreter.pk for interpreter in interpreters]
    booked = booked.filter(Q(expert__in=ids) | Q(interpreter__in=ids) | Q(room__isnull=False))
    for expert_id, interpreter_id, room_id, starts_at, ends_at in booked.values_list(
        "expert_id", "interpreter_id", "room_id", "starts_at", "ends_at"
    ):
        for role, key in (("expert", expert_id), ("interpreter", interpreter_id), ("room", room_id)):
            if key is not None:
                busy[role].setdefault(key, []).append((starts_at, ends_at))
    # An interpreter booked as one is busy; so is an expert booked as an expert, whichever role is asked.
    taken = {**busy["expert"]}
    for key, times in busy["interpreter"].items():
        taken[key] = taken.get(key, []) + times

    def free(times, start, end):
        return not any(s < end and start < e for s, e in times)

    slots = []
    length = timedelta(minutes=minutes)
    day_start = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    start = day_start
    while start < window_end and len(slots) < limit:
        end = start + length
        local_start, local_end = timezone.localtime(start), timezone.localtime(end)
        if start > now and local_start.date() == local_end.date():
            for expert in experts:
                if not (works(expert, local_start, local_end) and free(taken.get(expert.pk, []), start, end)):
                    continue
                interpreter = next(
                    (
                        person
                        for person in interpreters
                        if works(person, local_start, local_end) and free(taken.get(person.pk, []), start, end)
                    ),
                    None,
                )
                if consultation.interpreter_needed and interpreter is None:
                    continue
                room = next((room for room in rooms if free(busy["room"].get(room.pk, []), start, end)), None)
                slots.append(Slot(start, end, expert, interpreter, room))
                break  # one offer per time: the first expert free then
        start += timedelta(minutes=step)
    return slots
