"""Dateline: a newsroom and real-time publishing platform for online news agencies."""
