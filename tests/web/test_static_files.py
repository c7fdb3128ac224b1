"""Production's static files storage keeps each file's address once worked out, and still
refuses a name the manifest does not know."""

import json

import pytest
from django.test import override_settings

from cop_portal.web import static_files
from cop_portal.web.static_files import StaticFilesStorage


@pytest.fixture
def collected(tmp_path):
    """A folder as collectstatic leaves it: one hashed file and the manifest naming it."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "portal.0123abcd.css").write_text("body{}")
    manifest = {"paths": {"css/portal.css": "css/portal.0123abcd.css"}, "version": "1.1",
                "hash": "feedface"}  # fmt: skip
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return tmp_path


@override_settings(DEBUG=False)
def test_the_address_is_the_hashed_one_and_kept(collected):
    storage = StaticFilesStorage(location=str(collected), base_url="/static/")

    assert storage.url("css/portal.css") == "/static/css/portal.0123abcd.css"
    # Kept: even with the manifest's entry gone, the address already worked out is given.
    storage.hashed_files.clear()
    assert storage.url("css/portal.css") == "/static/css/portal.0123abcd.css"


@override_settings(DEBUG=False)
def test_a_name_missing_from_the_manifest_still_raises_and_is_not_kept(collected):
    storage = StaticFilesStorage(location=str(collected), base_url="/static/")

    for _ in range(2):
        with pytest.raises(ValueError, match=r"Missing staticfiles manifest entry for 'nope\.css'"):
            storage.url("nope.css")
    assert "nope.css" not in storage._addresses


@override_settings(DEBUG=False)
def test_no_more_addresses_kept_than_the_bound(collected, monkeypatch):
    monkeypatch.setattr(static_files, "ADDRESSES_KEPT", 1)
    manifest = json.loads((collected / "staticfiles.json").read_text())
    manifest["paths"]["css/other.css"] = "css/other.4567.css"
    (collected / "staticfiles.json").write_text(json.dumps(manifest))
    storage = StaticFilesStorage(location=str(collected), base_url="/static/")

    assert storage.url("css/portal.css") == "/static/css/portal.0123abcd.css"
    assert storage.url("css/other.css") == "/static/css/other.4567.css"
    assert list(storage._addresses) == ["css/portal.css"]
