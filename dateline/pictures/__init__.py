"""Pictures: the photo library, its renditions, and the photos stories carry."""
