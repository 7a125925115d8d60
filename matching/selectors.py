from matching.models import Match


def pair_with_people(match_id: int) -> Match | None:
    """A match with its resident, volunteer and their areas, in one query."""
    return (
        Match.objects.select_related("application__resident", "application__area", "volunteer__user", "volunteer__area")
        .filter(pk=match_id)
        .first()
    )
