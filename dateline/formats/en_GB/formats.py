"""British English as the newsroom writes times: the 24-hour clock, with the site's zone.

Django's en_GB writes "2 Dec 2026, 3:48 p.m.": the desk's lists of reports and editions
read so, beside "15:48 EET" everywhere else on the desk and "09:15" on the site. Formats not
named here are Django's own en_GB ones.
"""

DATETIME_FORMAT = "j M Y, H:i T"
TIME_FORMAT = "H:i"
