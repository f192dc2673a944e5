"""publish warns before it sends credentials in clear text over the network (issue 15, item 9).

No request is made here: the warning is decided from the URLs and the environment alone.
"""

from __future__ import annotations

import pytest

from mifi_rdf.publish import PASSWORD_ENV, USER_ENV, Endpoint


@pytest.fixture()
def credentials(monkeypatch):
    monkeypatch.setenv(USER_ENV, "dba")
    monkeypatch.setenv(PASSWORD_ENV, "secret")


def test_credentials_over_plain_http_to_another_host_are_warned_about(credentials):
    warnings = Endpoint("http://store.example.org/sparql-graph-crud-auth", "https://store.example.org/sparql").warnings()
    assert warnings == ["credentials from MIFI_RDF_ENDPOINT_USER/MIFI_RDF_ENDPOINT_PASSWORD will be sent over plain "
                        "http to store.example.org, readable by anyone on the way; use https"]
    assert "secret" not in " ".join(warnings)


@pytest.mark.parametrize("url", ["https://store.example.org/store", "http://127.0.0.1:8890/store",
                                 "http://localhost:7878/store", "http://[::1]:7878/store"])
def test_no_warning_over_https_or_loopback(credentials, url):
    assert Endpoint(url).warnings() == []


def test_no_warning_without_credentials(monkeypatch):
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    assert Endpoint("http://store.example.org/store").warnings() == []
