from django.apps import AppConfig


class AdsConfig(AppConfig):
    name = "dateline.ads"
    label = "ads"
    verbose_name = "Advertising: campaigns and placements"

    def ready(self) -> None:
        from dateline.readership.counting import register_keys

        # Both connect receivers: the candidates renewed, the pages' slots re-decided.
        from . import choice, in_use  # noqa: F401
        from .models import Campaign

        def campaigns(keys: set[str]) -> list[str]:
            """Impressions and clicks of campaigns that exist; made-up keys are dropped."""
            pks = [int(k) for k in keys if k.isdigit() and len(k) < 19]
            return [str(pk) for pk in Campaign.objects.filter(pk__in=pks)
                    .values_list("pk", flat=True)]

        register_keys(choice.IMPRESSION, campaigns)
        register_keys(choice.CLICK, campaigns)

        from dateline.pictures import guards

        def campaign_photo(user, photo) -> bool:
            """A campaign's image is changed by those who run campaigns: its alt text went
            out in every slot, rewritten by a contributor with no review."""
            return (user.has_perm("ads.change_campaign")
                    or not Campaign.objects.filter(photo=photo).exists())

        guards.add("ads.campaign", campaign_photo)
