from django.db import models


class RateCounter(models.Model):
    """One rate-limit counter, shared by every process through the database (see counters.py)."""

    cache_key = models.CharField(max_length=250, primary_key=True)
    value = models.BigIntegerField()
    # Seconds since the epoch: the window's end plus a margin, compared with time.time().
    expires = models.FloatField(db_index=True)

    class Meta:
        verbose_name = "rate-limit counter"

    def __str__(self) -> str:
        return f"{self.cache_key}: {self.value}"
