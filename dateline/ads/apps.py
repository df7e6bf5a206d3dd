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
