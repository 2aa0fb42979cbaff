from __future__ import annotations

import ssl

import pytest

from loyal_companion.db.engine import split_tls_options
from loyal_companion.errors import ConfigError


def test_url_without_sslmode_asks_for_nothing_on_this_machine() -> None:
    url, args = split_tls_options("postgresql+pg8000://u:p@localhost/db?application_name=lc")
    assert url == "postgresql+pg8000://u:p@localhost/db?application_name=lc"
    assert args == {}
    assert split_tls_options("postgresql+pg8000://u:p@127.0.0.1:5432/db")[1] == {}
    assert split_tls_options("postgresql+pg8000://postgres@/db?unix_sock=%2Ftmp%2F.s.PGSQL.5432")[1] == {}


@pytest.mark.parametrize("mode", ["", "?sslmode=prefer", "?sslmode=allow"])
def test_a_database_across_the_network_without_tls_is_refused(mode: str) -> None:
    with pytest.raises(ConfigError, match="sslmode=verify-full"):
        split_tls_options(f"postgresql+pg8000://u:p@ep-cool-1.eu-central-1.aws.neon.tech/db{mode}")


def test_a_private_network_may_say_no_tls_outright() -> None:
    url, args = split_tls_options("postgresql+pg8000://u:p@10.0.3.7/db?sslmode=disable")
    assert url == "postgresql+pg8000://u:p@10.0.3.7/db" and args == {}


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
