"""Where photos are kept, built from the environment as the settings build it (no network)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.utils.module_loading import import_string

from dateline.pictures.storages import storages_from_env

S3_ENV = {
    "DATELINE_MEDIA_STORAGE": "s3",
    "DATELINE_MEDIA_BUCKET": "dateline-renditions",
    "DATELINE_ORIGINALS_BUCKET": "dateline-originals",
    "DATELINE_MEDIA_ENDPOINT_URL": "https://s3.eu-central-1.example.net",
    "DATELINE_MEDIA_REGION": "eu-central-1",
    "DATELINE_MEDIA_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "DATELINE_MEDIA_SECRET_ACCESS_KEY": "not-a-real-secret",
    "DATELINE_MEDIA_CUSTOM_DOMAIN": "cdn.example.org",
}


def build(entry: dict):
    return import_string(entry["BACKEND"])(**entry.get("OPTIONS", {}))


def test_by_default_photos_are_on_local_disk_with_the_originals_apart(tmp_path):
    found = storages_from_env({}, tmp_path)
    assert set(found) == {"default", "pictures_originals", "reader_reports"}
    originals = build(found["pictures_originals"])
    assert isinstance(originals, FileSystemStorage)
    assert Path(originals.location) == tmp_path / "pictures-originals"
    assert found["default"]["BACKEND"].endswith("FileSystemStorage")


def test_s3_keeps_renditions_public_behind_the_cdn_and_originals_private():
    found = storages_from_env(S3_ENV, Path("/unused"))
    public, private = build(found["default"]), build(found["pictures_originals"])
    assert public.bucket_name == "dateline-renditions"
    assert private.bucket_name == "dateline-originals"
    assert public.endpoint_url == private.endpoint_url == S3_ENV["DATELINE_MEDIA_ENDPOINT_URL"]
    assert public.access_key == "AKIAEXAMPLE"
    # Renditions: plain CDN URLs, cached for a year; originals: private, signed, short-lived.
    assert public.url("renditions/ab/cd.jpg") == "https://cdn.example.org/renditions/ab/cd.jpg"
    assert public.default_acl == "public-read" and public.querystring_auth is False
    assert "immutable" in public.object_parameters["CacheControl"]
    assert private.default_acl == "private" and private.querystring_auth is True
    assert public.file_overwrite is False and private.file_overwrite is False
    signed = private.url("originals/ab/abc.jpg")
    assert "dateline-originals" in signed and "Signature" in signed and "Expires" in signed


@pytest.mark.parametrize("missing", ["DATELINE_MEDIA_BUCKET", "DATELINE_ORIGINALS_BUCKET"])
def test_s3_without_a_bucket_is_refused_at_start(missing):
    env = {k: v for k, v in S3_ENV.items() if k != missing}
    with pytest.raises(ImproperlyConfigured, match=missing):
        storages_from_env(env, Path("/unused"))


def test_an_unknown_storage_kind_is_refused():
    with pytest.raises(ImproperlyConfigured, match="local or s3"):
        storages_from_env({"DATELINE_MEDIA_STORAGE": "ftp"}, Path("/unused"))


def test_the_settings_read_the_environment(tmp_path):
    """The settings module itself, imported fresh in a process with the S3 variables."""
    import json
    import os
    import subprocess
    import sys

    script = ("import json; from dateline.settings import base; "
              "print(json.dumps(base.STORAGES))")
    env = {**os.environ, **S3_ENV, "DATELINE_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True, timeout=60)
    storages = json.loads(done.stdout)
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storages["default"]["OPTIONS"]["custom_domain"] == "cdn.example.org"
    assert storages["pictures_originals"]["OPTIONS"]["bucket_name"] == "dateline-originals"
    assert storages["staticfiles"]["BACKEND"].startswith("whitenoise")


def test_deploy_env_example_lists_every_storage_variable():
    import re

    import dateline.pictures.storages as module

    root = Path(module.__file__).resolve().parents[2]
    read = set(re.findall(r'"(DATELINE_\w+)"', Path(module.__file__).read_text()))
    listed = set(re.findall(r"^#?(\w+)=", (root / "deploy/env.example").read_text(), re.M))
    assert len(read) >= 8 and read - listed == set()
