from django.contrib import admin

from donations.models import Campaign, ImpactTier


class ImpactTierInline(admin.TabularInline):
    model = ImpactTier
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "title_ja",
        "starts_on",
        "ends_on",
        "goal_new_monthly_supporters",
        "goal_amount_yen",
    ]
    list_filter = ["is_published"]
    search_fields = ["title_ja", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [ImpactTierInline]
