"""Settings: `base` holds the shared defaults; `dev`, `test` and `prod` adjust them."""
