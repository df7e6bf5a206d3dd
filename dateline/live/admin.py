from .websub import admin as websub_admin  # noqa: F401  (registers the WebSub screens)
