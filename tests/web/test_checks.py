"""The deployment check that more than one web instance keeps uploads in shared storage."""

import os
import subprocess
import sys
from pathlib import Path

from django.core import checks

from cop_portal.web.checks import media_shared_between_instances

from ..prod_settings import PRODUCTION_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3 = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "media"}}


def _storages(settings, default):
    return {**settings.STORAGES, "default": default}


def test_two_instances_on_local_disk_are_an_error(settings):
    settings.WEB_INSTANCES = 2
    settings.STORAGES = _storages(settings, LOCAL)
    [error] = media_shared_between_instances(None)
    assert error.id == "web.E001"
    assert error.level == checks.ERROR
    assert error.msg == "WEB_INSTANCES is 2 but uploads are kept on local disk."


def test_one_instance_on_local_disk_or_two_on_object_storage_are_fine(settings):
    settings.WEB_INSTANCES = 1
    settings.STORAGES = _storages(settings, LOCAL)
    assert media_shared_between_instances(None) == []
    settings.WEB_INSTANCES = 2
    settings.STORAGES = _storages(settings, S3)
    assert media_shared_between_instances(None) == []


def _check_deploy(**env) -> subprocess.CompletedProcess:
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE either: the deployment check refuses it,
    # and it is set for the whole test run once a browser test is collected.
    left_out = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in left_out}
    # A key of the length and variety the checklist asks for.
    key = "a-long-random-production-key-used-only-by-this-test-0123456789abcdef"
    environment |= {**PRODUCTION_ENVIRONMENT, "SECRET_KEY": key, **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,  # a guard against a hang, not a speed check: a busy machine is slow
        check=False,
    )


def test_production_s_deployment_checks_refuse_two_instances_without_a_bucket():
    refused = _check_deploy(WEB_INSTANCES="2")
    assert refused.returncode != 0
    assert "(web.E001) WEB_INSTANCES is 2 but uploads are kept on local disk." in refused.stderr

    passed = _check_deploy(WEB_INSTANCES="2", AWS_STORAGE_BUCKET_NAME="cop-portal-media")
    assert passed.returncode == 0, passed.stderr
    assert "System check identified no issues" in passed.stdout
