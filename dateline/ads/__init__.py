"""Advertising: campaigns, the named slots of the public pages, and the choice of an ad."""
