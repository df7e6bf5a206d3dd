"""The site's own date formats where Django's locale gives others (FORMAT_MODULE_PATH)."""
