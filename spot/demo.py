"""Spot demo requests in JII's own examples (a clinic for a child's vaccination, a city-office letter, a daycare
application, a phone contract…): open ones on the board, accepted, done with thanks. Fictional people."""

from datetime import timedelta

from django.utils import timezone

from jii.models import Area, Language, Resident, VolunteerProfile
from spot.models import Acceptance, SpotRequest

# email, name, language, area, category, topic, urgency, hours ago, status, description
REQUESTS = [
    ("spot-demo-1@example.com", "Maria Santos", "tl", "kanagawa-yokohama-naka", "healthcare", "vaccination", 2, 5,
     "open", "I want to book my daughter's vaccination but I cannot read the letter from the city. Which clinic?"),
    ("spot-demo-2@example.com", "Ahmad Rahimi", "fa", "tokyo-edogawa", "welfare", "official_letter", 3, 30,
     "open", "I got a letter from the ward office with a deadline next week. I do not understand what to do."),
    ("spot-demo-3@example.com", "Sophie Martin", "fr", "tokyo-setagaya", "children", "daycare", 2, 60,
     "open", "保育園の見学予約をしたいです。申し込み書類の書き方も教えてほしいです。"),
    ("spot-demo-4@example.com", "Ram Shrestha", "ne", "saitama-kawaguchi", "infrastructure", "phone_internet", 1, 8,
     "open", "I want to change my phone contract to a cheaper plan but the shop staff speak too fast."),
    ("spot-demo-5@example.com", "Iryna Bondarenko", "uk", "chiba-funabashi", "infrastructure", "utilities", 1, 120,
     "open", "How do I start the gas for my new apartment? The company only answers in Japanese."),
    ("spot-demo-6@example.com", "Liu Yang", "zh", "tokyo-meguro", "healthcare", "find_clinic", 2, 72,
     "accepted", "My son has a rash. I would like a pediatric clinic near Gakugei-daigaku that can see him."),
    ("spot-demo-7@example.com", "Daniel Brown", "en", "tokyo-shinjuku", "children", "school_enrolment", 1, 240,
     "done", "We arrive in April; what do we need for our son's elementary school enrolment?"),
]  # fmt: skip


def load() -> str:
    volunteers = list(VolunteerProfile.objects.filter(status="approved").order_by("pk"))
    areas = {area.code: area for area in Area.objects.all()}
    now = timezone.now()
    created = 0
    for n, (email, name, language, area, category, topic, urgency, hours, status, text) in enumerate(REQUESTS):
        resident, _ = Resident.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "prefecture": areas[area].prefecture,
                "municipality": areas[area].name["ja"],
                "household_type": "family",
                "language": "en",
            },
        )
        if resident.spot_requests.exists():
            continue
        asked = now - timedelta(hours=hours)
        spot_request = SpotRequest.objects.create(
            resident=resident,
            category=category,
            topic=topic,
            description=text,
            modes=["in_person", "phone"],
            area=areas[area],
            urgency=urgency,
            consented_at=asked,
            created_at=asked,
        )
        spot_request.languages.set(Language.objects.filter(code__in=[language, "en"]))
        created += 1
        if status == "open" or not volunteers:
            continue
        volunteer = volunteers[n % len(volunteers)]
        accepted = asked + timedelta(hours=6)
        Acceptance.objects.create(request=spot_request, volunteer=volunteer, accepted_at=accepted)
        spot_request.status = SpotRequest.Status.ACCEPTED
        spot_request.volunteer = volunteer
        spot_request.accepted_at = accepted
        if status == "done":
            spot_request.status = SpotRequest.Status.DONE
            spot_request.done_at = accepted + timedelta(days=3)
            spot_request.report = "学校の説明会に同行し、必要書類を一緒に確認しました。"
            spot_request.minutes_spent = 90
            spot_request.feedback = "Thank you so much, we felt welcome."
            spot_request.feedback_at = spot_request.done_at + timedelta(days=1)
        spot_request.save()
    return f"{created} Spot requests created, {SpotRequest.objects.count()} in all"
