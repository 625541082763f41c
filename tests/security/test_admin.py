"""The admin API (aerospike-py's names, sync and async) against the
embedded server's security mode, and privileges enforced per command with
the server's result codes: 81 role violation (scoped to namespace/set), 82
not whitelisted, 83 quota exceeded, 60-75 for admin requests.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

import aerospike_py
from aerospike_py import exception as ex
from aerospike_py.testing import EmbeddedServer
from aerospike_py.testing_pki import TestPki

from .conftest import ADMIN, READER, SECURITY, WRITER, call, close, connect, tls_config

FLAVOURS = ["sync", "async"]


def code_of(err: BaseException) -> int:
    assert isinstance(err, ex.AerospikeError), repr(err)
    return int(err.code)


async def expect_code(code: int, client: Any, name: str, *args: Any, **kwargs: Any) -> BaseException:
    with pytest.raises(ex.AerospikeError) as info:
        await call(client, name, *args, **kwargs)
    assert info.value.code == code, f"{name}: {info.value!r}"
    return info.value


@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_every_admin_call(flavour: str, secure_server: EmbeddedServer, pki: TestPki) -> None:
    admin = await connect(tls_config(secure_server, pki, user=ADMIN[0], password=ADMIN[1]), flavour)
    tag = uuid.uuid4().hex[:6]
    user, role = f"u-{tag}", f"r-{tag}"
    try:
        # Roles: create with privileges, whitelist and (quotas disabled) none.
        await call(admin, "admin_create_role", role,
                   [{"code": aerospike_py.PRIV_READ, "ns": "test", "set": "s1"},
                    {"code": "write", "ns": "test"}],
                   whitelist=["127.0.0.1", "10.0.0.0/8"])
        got = await call(admin, "admin_query_role", role)
        assert got == {
            "name": role,
            "privileges": [{"code": 10, "ns": "test", "set": "s1"}, {"code": 13, "ns": "test"}],
            "allowlist": ["127.0.0.1", "10.0.0.0/8"],
            "read_quota": 0,
            "write_quota": 0,
        }
        await call(admin, "admin_grant_privileges", role, [{"code": aerospike_py.PRIV_TRUNCATE}])
        await call(admin, "admin_revoke_privileges", role, [{"code": "write", "ns": "test"}])
        got = await call(admin, "admin_query_role", role)
        assert got["privileges"] == [{"code": 10, "ns": "test", "set": "s1"}, {"code": 14}]
        await call(admin, "admin_set_whitelist", role, ["127.0.0.0/8"])
        assert (await call(admin, "admin_query_role", role))["allowlist"] == ["127.0.0.0/8"]
        await call(admin, "admin_set_whitelist", role, [])
        assert (await call(admin, "admin_query_role", role))["allowlist"] == []
        names = [r["name"] for r in await call(admin, "admin_query_roles")]
        assert role in names and "read-write" in names and "user-admin" in names

        # Users.
        await call(admin, "admin_create_user", user, "first-Pass-1", [role])
        info = await call(admin, "admin_query_user_info", user)
        assert info["user"] == user and info["roles"] == [role] and info["conns_in_use"] == 0
        await call(admin, "admin_grant_roles", user, ["read-write"])
        await call(admin, "admin_revoke_roles", user, [role])
        assert (await call(admin, "admin_query_user_info", user))["roles"] == ["read-write"]
        users = {u["user"]: u for u in await call(admin, "admin_query_users_info")}
        assert {user, ADMIN[0], WRITER[0]} <= set(users)
        assert users[ADMIN[0]]["conns_in_use"] >= 1

        # The new user logs in; the admin sets its password; the old one stops working.
        config = {"hosts": secure_server.hosts, "user": user, "password": "first-Pass-1",
                  "timeout": 2000}
        c = await connect(config, flavour)
        assert (await call(admin, "admin_query_user_info", user))["conns_in_use"] >= 1
        await close(c)
        await call(admin, "admin_change_password", user, "second-Pass-2")
        with pytest.raises(ex.AdminError) as refused:
            await connect(config, flavour)
        assert refused.value.code == 65
        c = await connect(dict(config, password="second-Pass-2"), flavour)
        await close(c)

        # Errors of each kind, with the server's codes.
        await expect_code(61, admin, "admin_create_user", user, "x-Pass-3", [])
        await expect_code(70, admin, "admin_create_user", f"v-{tag}", "x-Pass-3", ["no-such-role"])
        await expect_code(71, admin, "admin_create_role", role, [{"code": aerospike_py.PRIV_READ}])
        await expect_code(60, admin, "admin_query_user_info", f"none-{tag}")
        await expect_code(70, admin, "admin_query_role", f"none-{tag}")
        await expect_code(73, admin, "admin_set_whitelist", role, ["not-an-address"])
        await expect_code(74, admin, "admin_set_quotas", role, 10, 10)  # quotas not enabled
        await expect_code(70, admin, "admin_drop_role", "read-write")    # predefined
        await expect_code(60, admin, "admin_drop_user", f"none-{tag}")

        await call(admin, "admin_drop_user", user)
        await call(admin, "admin_drop_role", role)
        await expect_code(60, admin, "admin_query_user_info", user)
        await expect_code(70, admin, "admin_drop_role", role)
    finally:
        await close(admin)


@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_change_own_password_and_relogin(flavour: str, pki: TestPki) -> None:
    with EmbeddedServer(security=SECURITY) as server:
        config = {"hosts": server.hosts, "user": WRITER[0], "password": WRITER[1],
                  "idle_timeout": 100, "tend_interval": 50}
        client = await connect(config, flavour)
        try:
            await call(client, "admin_change_password", WRITER[0], "new-Writer-Pass")
            # New connections (the idle ones were reaped) log in with the new
            # password once the old session is gone; the client keeps working.
            assert (await call(client, "admin_query_user_info", WRITER[0]))["user"] == WRITER[0]
            with pytest.raises(ex.AdminError):
                await connect(config, flavour)
            other = await connect(dict(config, password="new-Writer-Pass"), flavour)
            await close(other)
        finally:
            await close(client)


@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", FLAVOURS)
async def test_privileges_scoped_to_namespace_and_set(flavour: str, secure_server: EmbeddedServer,
                                                      pki: TestPki) -> None:
    writer = await connect({"hosts": secure_server.hosts, "user": WRITER[0],
                            "password": WRITER[1]}, flavour)
    reader = await connect(tls_config(secure_server, pki, user=READER[0], password=READER[1]),
                           flavour)
    try:
        readable, other = ("test", "readable", "k"), ("test", "other", "k")
        await call(writer, "put", readable, {"v": 1})
        await call(writer, "put", other, {"v": 2})
        # read on test/readable only.
        assert (await call(reader, "get", readable)).bins == {"v": 1}
        assert (await call(reader, "exists", readable)).meta is not None
        err = await expect_code(81, reader, "get", other)
        assert isinstance(err, ex.AdminError)
        await expect_code(81, reader, "put", readable, {"v": 3})
        await expect_code(81, reader, "remove", readable)
        await expect_code(81, reader, "operate", readable,
                          [{"op": aerospike_py.OPERATOR_WRITE, "bin": "v", "val": 9}])
        await expect_code(81, reader, "truncate", "test", "readable")
        view = await call(reader, "batch_read_view", [readable, other])
        assert [r.result for r in view] == [0, 81]
        written = await call(reader, "batch_write", [(readable, {"v": 4})])
        assert [br.result for br in written.batch_records] == [81]
        # Admin calls need user-admin.
        await expect_code(81, reader, "admin_query_users_info")
        await expect_code(81, reader, "admin_create_role", "x", [{"code": aerospike_py.PRIV_READ}])
        # One's own user info is allowed.
        assert (await call(reader, "admin_query_user_info", READER[0]))["roles"] == ["test-readable"]
        # The writer (read-write + truncate) may truncate.
        await call(writer, "truncate", "test", "other")
    finally:
        await close(reader)
        await close(writer)


def test_whitelist_refuses_other_addresses() -> None:
    security: dict[str, Any] = {
        "users": [{"name": ADMIN[0], "password": ADMIN[1], "roles": ["user-admin"]},
                  {"name": "fenced", "password": "fenced-Pass-1", "roles": ["fence"]}],
        "roles": [{"name": "fence", "privileges": [{"code": 11}], "whitelist": ["10.9.9.9"]}],
    }
    with EmbeddedServer(security=security) as server:
        config = {"hosts": server.hosts, "user": "fenced", "password": "fenced-Pass-1",
                  "timeout": 2000}
        with pytest.raises(ex.AdminError) as info:
            aerospike_py.client(config).connect()
        assert info.value.code == 82  # NOT_WHITELISTED
        with aerospike_py.client({"hosts": server.hosts, "user": ADMIN[0],
                                  "password": ADMIN[1]}).connect() as admin:
            admin.admin_set_whitelist("fence", ["127.0.0.0/8"])
        with aerospike_py.client(config).connect() as client:
            client.put(("test", "fence", 1), {"v": 1})


def test_quotas_are_enforced_per_second() -> None:
    security: dict[str, Any] = {
        "enable_quotas": True,
        "users": [{"name": ADMIN[0], "password": ADMIN[1], "roles": ["user-admin"]},
                  {"name": "limited", "password": "limited-Pass-1", "roles": ["slow"]}],
        "roles": [{"name": "slow", "privileges": [{"code": 11}], "read_quota": 5,
                   "write_quota": 1000}],
    }
    with EmbeddedServer(security=security) as server:
        with aerospike_py.client({"hosts": server.hosts, "user": "limited",
                                  "password": "limited-Pass-1"}).connect() as client:
            client.put(("test", "q", 1), {"v": 1})
            # Start on a fresh second so all reads fall into one.
            time.sleep(1.0 - time.time() % 1.0 + 0.05)
            codes = []
            for _ in range(8):
                try:
                    client.get(("test", "q", 1))
                    codes.append(0)
                except ex.AerospikeError as e:
                    codes.append(int(e.code))
            assert codes[:5] == [0] * 5 and 83 in codes[5:], codes
            with aerospike_py.client({"hosts": server.hosts, "user": ADMIN[0],
                                      "password": ADMIN[1]}).connect() as admin:
                admin.admin_set_quotas("slow", read_quota=0, write_quota=0)
                assert admin.admin_query_role("slow")["read_quota"] == 0
                admin.admin_create_role("fast", [{"code": 10}], read_quota=100, write_quota=50)
                role = admin.admin_query_role("fast")
                assert (role["read_quota"], role["write_quota"]) == (100, 50)
                info = admin.admin_query_user_info("limited")
                assert info["read_info"][0] == 0
            time.sleep(1.0 - time.time() % 1.0 + 0.05)
            for _ in range(8):
                client.get(("test", "q", 1))


def test_admin_calls_validate_arguments(secure_server: EmbeddedServer) -> None:
    with aerospike_py.client({"hosts": secure_server.hosts, "user": ADMIN[0],
                              "password": ADMIN[1]}).connect() as admin:
        for args in [("", "p", []), (1, "p", []), ("u", None, []), ("u", "p", "r")]:
            with pytest.raises(ex.ParamError):
                admin.admin_create_user(*args)  # type: ignore[arg-type]
        for privileges in [[{"code": 99}], [{"code": "bogus"}], [{"code": 0, "ns": "test"}],
                           [{"code": 10, "set": "s"}], [{"nope": 1}], ["read"]]:
            with pytest.raises(ex.ParamError):
                admin.admin_create_role("r", privileges)  # type: ignore[arg-type]
        with pytest.raises(ex.ParamError):
            admin.admin_set_quotas("r", -1, 0)
        with pytest.raises(ex.ParamError):
            admin.admin_drop_user("u", {"timeout": "soon"})


def test_admin_against_a_server_without_security(tls_server: EmbeddedServer) -> None:
    with aerospike_py.client({"hosts": tls_server.hosts}).connect() as client:
        with pytest.raises(ex.SecurityNotEnabled):
            client.admin_query_users_info()
