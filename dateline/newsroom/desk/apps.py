from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    """django.contrib.admin, with the desk's site as `admin.site`."""

    default_site = "dateline.newsroom.desk.site.DeskSite"
