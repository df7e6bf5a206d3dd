"""Where photos are kept, from the environment: local disk by default, or any S3-compatible
store (AWS S3, MinIO, Cloudflare R2, Backblaze B2...) through django-storages.

Three stores either way: "pictures_originals", private (uploads as sent, with their EXIF and
GPS: read by the desk and the worker, signed URLs only), "reader_reports", private too (photos
sent with readers' reports, which the desk alone sees: in the originals' bucket under
reader-reports/ on S3), and "default", public (renditions under content-hashed names, read by
everyone, behind a CDN when DATELINE_MEDIA_CUSTOM_DOMAIN names one). The settings call it,
so it imports nothing of Django's but an exception.
"""

from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

S3 = "storages.backends.s3.S3Storage"
# A rendition's name changes with its content: a year of caching is safe.
_PUBLIC_CACHE = "public, max-age=31536000, immutable"


def storages_from_env(environ: Mapping[str, str], var_dir: Path) -> dict[str, dict]:
    """The STORAGES entries for photos: "default", "pictures_originals", "reader_reports"."""
    kind = environ.get("DATELINE_MEDIA_STORAGE", "local")
    if kind == "local":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "pictures_originals": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(var_dir / "pictures-originals")},
            },
            # Readers' reports' photos: the desk's alone, outside what the web server serves.
            "reader_reports": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(var_dir / "reader-reports")},
            },
        }
    if kind != "s3":
        raise ImproperlyConfigured(f"DATELINE_MEDIA_STORAGE must be local or s3, not {kind!r}")
    public_bucket = _required(environ, "DATELINE_MEDIA_BUCKET")
    common = {
        key: environ[name] for key, name in [
            ("endpoint_url", "DATELINE_MEDIA_ENDPOINT_URL"),
            ("region_name", "DATELINE_MEDIA_REGION"),
            ("access_key", "DATELINE_MEDIA_ACCESS_KEY_ID"),
            ("secret_key", "DATELINE_MEDIA_SECRET_ACCESS_KEY"),
        ] if environ.get(name)
    }
    # Never overwrite: a rendition's hashed name is its content, an original's its SHA-256.
    common["file_overwrite"] = False
    public = {
        **common, "bucket_name": public_bucket, "querystring_auth": False,
        "default_acl": environ.get("DATELINE_MEDIA_ACL", "public-read") or None,
        "object_parameters": {"CacheControl": _PUBLIC_CACHE},
    }
    if environ.get("DATELINE_MEDIA_CUSTOM_DOMAIN"):
        public["custom_domain"] = environ["DATELINE_MEDIA_CUSTOM_DOMAIN"]
    # A bucket of its own, which no policy opens to readers: the desk reads it by signed URL.
    private = {
        **common, "bucket_name": _required(environ, "DATELINE_ORIGINALS_BUCKET"),
        "default_acl": "private", "querystring_auth": True, "querystring_expire": 300,
    }
    return {"default": {"BACKEND": S3, "OPTIONS": public},
            "pictures_originals": {"BACKEND": S3, "OPTIONS": private},
            "reader_reports": {"BACKEND": S3, "OPTIONS": {**private,
                                                          "location": "reader-reports"}}}


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"DATELINE_MEDIA_STORAGE=s3 needs {name}")
    return value
