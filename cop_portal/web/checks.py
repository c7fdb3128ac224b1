"""Deployment checks (`manage.py check --deploy`) for how the portal is spread over machines."""

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage
from django.utils.module_loading import import_string


@checks.register(checks.Tags.files, deploy=True)
def media_shared_between_instances(app_configs, **kwargs):
    """More than one web instance needs uploads in shared (object) storage: a file on one
    machine's disk is missing on the others, so a member would see it on one page load and not
    the next, and an attendance import kept by one would not be found by the other."""
    backend = import_string(settings.STORAGES["default"]["BACKEND"])
    if settings.WEB_INSTANCES > 1 and issubclass(backend, FileSystemStorage):
        return [
            checks.Error(
                f"WEB_INSTANCES is {settings.WEB_INSTANCES} but uploads are kept on local disk.",
                hint="Set AWS_STORAGE_BUCKET_NAME (and the AWS_* variables) to keep them in "
                "S3-compatible object storage.",
                id="web.E001",
            )
        ]
    return []
