"""Advertising: named slots on public pages, campaigns booked in the desk, rotation that works on cached pages."""
