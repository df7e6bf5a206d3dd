"""Parts of the public pages (masthead, story, aside) go through the page cache's parts."""

from dateline.pagecache.parts import cached as fragment

__all__ = ["fragment"]
