"""Uploads in S3-compatible object storage (production with AWS_STORAGE_BUCKET_NAME), against a
local stand-in for S3 (moto's server, over real HTTP): a file uploaded through the resource hub
lands in the bucket, is read back, and reaches a member only through the portal's own check,
as a short-lived signed link."""

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from resources import services
from resources.models import Resource
from tests.factories import CaucusFactory, EventFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUCKET = "cop-portal-media"
REGION = "eu-west-2"
KEYS = {"access_key": "testing", "secret_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """An empty private bucket, and the portal's production storage settings pointed at it."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    # The options production sets from AWS_STORAGE_BUCKET_NAME (cop_portal/settings/base.py).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
                **KEYS,
            },
        },
    }
    yield client
    for stored in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=stored["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _upload(**fields) -> Resource:
    return services.resource_save(
        resource=Resource(),
        title="Slides",
        kind=Resource.Kind.SLIDES,
        description="From the session.",
        audience="members",
        upload=SimpleUploadedFile("slides.pdf", PDF),
        **fields,
    )


def _fetch(url: str) -> bytes:
    # S310: the signed link points at the local S3 stand-in started above.
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return response.read()


def test_an_upload_lands_in_the_bucket_and_is_read_back(bucket):
    resource = _upload()

    [stored] = bucket.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert stored["Key"] == resource.file.name
    assert resource.file.name.startswith("resources/")
    assert resource.file.name.endswith(".pdf")
    assert bucket.get_object(Bucket=BUCKET, Key=stored["Key"])["Body"].read() == PDF
    with Resource.objects.get(pk=resource.pk).file.open("rb") as handle:
        assert handle.read() == PDF
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=stored["Key"])["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner alone


def test_a_member_gets_a_short_lived_signed_link_after_the_portal_s_check(bucket, client, member):
    resource = _upload()
    url = reverse("resources:download", args=[resource.slug])

    refused = client.get(url)
    assert refused.status_code == 302
    assert refused["Location"] == f"{reverse('account_login')}?next={url}"

    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 302
    link = urlsplit(response["Location"])
    assert link.path == f"/{BUCKET}/{resource.file.name}"
    query = parse_qs(link.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Signature"]
    assert _fetch(response["Location"]) == PDF


def test_a_caucus_file_gets_no_link_outside_the_caucus(bucket, client, member):
    resource = _upload(event=EventFactory(caucus=CaucusFactory()))
    client.force_login(member)
    response = client.get(reverse("resources:download", args=[resource.slug]))
    assert response.status_code == 404
    assert BUCKET not in response.content.decode()


def test_a_replaced_file_is_deleted_from_the_bucket(bucket, django_capture_on_commit_callbacks):
    resource = _upload()
    first = resource.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_save(
            resource=resource, upload=SimpleUploadedFile("slides-v2.pdf", PDF + b"%v2\n")
        )
    keys = [stored["Key"] for stored in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [resource.file.name]
    assert resource.file.name != first
