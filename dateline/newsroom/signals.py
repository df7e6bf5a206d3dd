"""Keep caches of the section tree honest when sections change."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Section

SECTION_TREE_CACHE_KEY = "dateline:section-tree"


@receiver([post_save, post_delete], sender=Section)
def forget_section_tree(**kwargs) -> None:
    cache.delete(SECTION_TREE_CACHE_KEY)
