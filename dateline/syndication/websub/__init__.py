"""WebSub (W3C Recommendation, 2018): Dateline is the hub of its own feeds.

Feeds name the hub and themselves (`discovery`); subscribers ask at /websub/ (`views`,
checked by `validation`); the worker confirms each request with the callback
(`verification`) and, when a story changes, pushes the fresh feed to every subscriber of the
feeds that show it, signed with the subscriber's secret (`distribution`). Every outbound
request goes through `outbound`, which refuses private addresses and follows no redirect.
"""
