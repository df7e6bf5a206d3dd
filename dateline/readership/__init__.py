"""Readership: views, impressions and clicks counted on the server per hour, tracking no one."""
