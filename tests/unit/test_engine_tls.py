from __future__ import annotations

import ssl

import pytest

from loyal_companion.db.engine import split_tls_options
from loyal_companion.errors import ConfigError


def test_url_without_sslmode_asks_for_nothing() -> None:
    url, args = split_tls_options("postgresql+pg8000://u:p@h/db?application_name=lc")
    assert url == "postgresql+pg8000://u:p@h/db?application_name=lc"
    assert args == {}


def test_require_encrypts_without_verifying_like_libpq() -> None:
    url, args = split_tls_options("postgresql+pg8000://u:p@h/db?sslmode=require")
    assert url == "postgresql+pg8000://u:p@h/db"
    context = args["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_NONE
    assert not context.check_hostname


def test_verify_full_checks_chain_and_host() -> None:
    _, args = split_tls_options("postgresql+pg8000://u:p@h/db?sslmode=verify-full")
    assert args["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert args["ssl_context"].check_hostname


def test_verify_ca_checks_chain_only() -> None:
    _, args = split_tls_options("postgresql+pg8000://u:p@h/db?sslmode=verify-ca")
    assert args["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    assert not args["ssl_context"].check_hostname


def test_unknown_sslmode_is_refused() -> None:
    with pytest.raises(ConfigError):
        split_tls_options("postgresql+pg8000://u:p@h/db?sslmode=sometimes")
