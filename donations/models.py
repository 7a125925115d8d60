from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jii.bilingual import pick


class CampaignQuerySet(models.QuerySet):
    def running(self, on=None):
        """Published campaigns whose period includes the given day (today in Tokyo by default)."""
        on = on or timezone.localdate()
        return self.filter(is_published=True, starts_on__lte=on, ends_on__gte=on)


class Campaign(models.Model):
    """A fundraising campaign with two goals: new monthly supporters and a yen total including one-off gifts."""

    slug = models.SlugField(_("slug"), unique=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_ja = models.TextField(_("summary (Japanese)"))
    summary_en = models.TextField(_("summary (English)"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    goal_new_monthly_supporters = models.PositiveIntegerField(_("goal: new monthly supporters"))
    goal_amount_yen = models.PositiveIntegerField(_("goal: total in yen"))
    is_published = models.BooleanField(_("published"), default=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return pick(self.title_ja, self.title_en)

    @property
    def summary(self):
        return pick(self.summary_ja, self.summary_en)


class ImpactTier(models.Model):
    """A suggested amount and what it makes possible, shown on the campaign page."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tiers")
    amount_yen = models.PositiveIntegerField(_("amount in yen"))
    impact_ja = models.CharField(_("impact (Japanese)"), max_length=200)
    impact_en = models.CharField(_("impact (English)"), max_length=200)

    class Meta:
        ordering = ["amount_yen"]
        verbose_name = _("suggested amount")
        verbose_name_plural = _("suggested amounts")
        constraints = [models.UniqueConstraint(fields=["campaign", "amount_yen"], name="tier_amount_once_per_campaign")]

    def __str__(self):
        return f"¥{self.amount_yen:,}"

    @property
    def impact(self):
        return pick(self.impact_ja, self.impact_en)
