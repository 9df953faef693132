"""`docker compose up` as a user runs it, replicas included: sign in, Graph, the demo app and
sign-out through nginx; every replica serves; the containers run hardened and apart."""

from __future__ import annotations

import json
from collections import Counter

from tests.container_stack.compose_project import ComposeProject, docker, inspect
from tests.container_stack.conftest import AUTH_REPLICAS, GRAPH_REPLICAS, RunningStack
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through, sign_out_through

JSON = {"Accept": "application/json"}


# What a container that started wrong logs: gunicorn's control socket on a read-only home,
# the nginx image's skipped template step, a crash.
START_PROBLEMS = ("Read-only file system", "[ERROR]", "ERROR:", "Traceback (most recent call")


def test_no_container_logs_a_problem_at_start(dev_stack: RunningStack) -> None:
    for container_id in dev_stack.project.container_ids():
        name = inspect(container_id)["Name"]
        logs = dev_stack.project.logs(container_id)
        problems = [line for line in logs.splitlines() if any(p in line for p in START_PROBLEMS)]
        assert not problems, (name, problems[:5])


def test_sign_in_call_graph_open_the_app_and_sign_out(dev_stack: RunningStack) -> None:
    url, registration = dev_stack.public_url, dev_stack.registration
    username, name = registration.usernames[0], registration.display_names[0]
    with Browser() as browser:
        home = sign_in_through(browser, url, username)
        assert home.url.rstrip("/") == url and name in home.text

        me = browser.get(url + "/graph/me", headers=JSON)
        assert me.status_code == 200, me.text
        assert me.json()["userPrincipalName"] == username
        users = browser.get(url + "/graph/users", headers=JSON)
        assert users.status_code == 200, users.text
        listed = {user["userPrincipalName"] for user in users.json()["value"]}
        assert listed == set(registration.usernames)
        photo = browser.get(url + "/graph/me/photo")
        assert photo.status_code == 200 and photo.headers["Content-Type"].startswith("image/")
        assert len(photo.content) > 0

        app = browser.get(url + "/app/")
        assert app.status_code == 200 and app.url == url + "/app/"
        assert name in app.text and username in app.text

        sign_out_through(browser, url)
        after = browser.get(url + "/graph/me", headers=JSON)
        assert after.status_code == 401
        assert after.json()["error"]["code"] == "unauthenticated"
        app_after = browser.get(url + "/app/", allow_redirects=False)
        assert app_after.status_code == 302 and "/login" in app_after.headers["Location"]


def requests_served_by(project: ComposeProject, service: str, path: str) -> Counter[str]:
    """How many requests for path each container of service logged (one JSON line each)."""
    served: Counter[str] = Counter()
    for container_id in project.container_ids(service):
        for line in project.logs(container_id).splitlines():
            if line.startswith("{") and json.loads(line).get("path") == path:
                served[container_id] += 1
    return served


def test_every_replica_serves_one_browser_without_sticky_sessions(
    dev_stack: RunningStack,
) -> None:
    project = dev_stack.project
    assert len(project.container_ids("auth-service")) == AUTH_REPLICAS
    assert len(project.container_ids("graph-service")) == GRAPH_REPLICAS
    before_graph = requests_served_by(project, "graph-service", "/graph/me")
    before_checks = requests_served_by(project, "auth-service", "/_auth/check")
    with Browser() as browser:
        sign_in_through(browser, dev_stack.public_url, dev_stack.registration.usernames[1])
        statuses = Counter(
            browser.get(dev_stack.public_url + "/graph/me", headers=JSON).status_code
            for _ in range(60)
        )
        # nginx keeps a session's passed check per path for a while (docs/edge.md): each of
        # these paths is checked anew.
        for index in range(20):
            browser.get(f"{dev_stack.public_url}/app/replicas-{index}", headers=JSON)
    assert statuses == Counter({200: 60}), statuses
    graph = requests_served_by(project, "graph-service", "/graph/me") - before_graph
    checks = requests_served_by(project, "auth-service", "/_auth/check") - before_checks
    assert len(graph) == GRAPH_REPLICAS, graph
    assert len(checks) == AUTH_REPLICAS, checks
    assert sum(graph.values()) == 60
    assert sum(checks.values()) >= 20


def main_process_status(container_id: str) -> dict[str, str]:
    """The Uid, Gid, capability and NoNewPrivs lines of a container's main process."""
    status = docker("exec", container_id, "cat", "/proc/1/status").stdout
    wanted = ("Uid", "Gid", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs")
    return {
        name: value.split()[0]
        for name, _, value in (line.partition(":") for line in status.splitlines())
        if name in wanted
    }


def test_every_container_runs_unprivileged_on_a_read_only_root(dev_stack: RunningStack) -> None:
    containers = dev_stack.project.container_ids()
    assert len(containers) == 4 + AUTH_REPLICAS + GRAPH_REPLICAS  # redis emulator demo nginx
    for container_id in containers:
        details = inspect(container_id)
        name = details["Name"]
        status = main_process_status(container_id)
        assert status["Uid"] != "0" and status["Gid"] != "0", (name, status)
        for capabilities in ("CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert int(status[capabilities], 16) == 0, (name, capabilities, status)
        assert status["NoNewPrivs"] == "1", (name, status)
        assert details["HostConfig"]["ReadonlyRootfs"] is True, name
        write = docker("exec", container_id, "sh", "-c", "echo x > /probe", check=False)
        assert write.returncode != 0 and "Read-only file system" in write.stderr, (name, write)


def test_only_nginx_publishes_a_port_and_only_on_loopback(dev_stack: RunningStack) -> None:
    published: dict[str, list[str]] = {}
    for container_id in dev_stack.project.container_ids():
        details = inspect(container_id)
        service = details["Config"]["Labels"]["com.docker.compose.service"]
        for bindings in (details["HostConfig"]["PortBindings"] or {}).values():
            published.setdefault(service, []).extend(b["HostIp"] for b in bindings or [])
    assert set(published) == {"nginx"}, published
    assert set(published["nginx"]) == {"127.0.0.1"}, published


REDIS_CLIENT = """
import json, os, redis
outcomes = {}
def attempt(name, **options):
    try:
        redis.Redis(host="redis", socket_timeout=3, socket_connect_timeout=3, **options).ping()
        outcomes[name] = "PONG"
    except redis.RedisError as error:
        outcomes[name] = type(error).__name__ + ": " + str(error)
attempt("no password")
attempt("default user, the right password", password=os.environ["REDIS_PASSWORD"])
attempt("wrong password", username="signin", password="not-the-password")
attempt("the services' user", username="signin", password=os.environ["REDIS_PASSWORD"])
print(json.dumps(outcomes))
"""


def test_redis_refuses_a_client_without_the_password(dev_stack: RunningStack) -> None:
    outcomes = dev_stack.project.exec_python("auth-service", REDIS_CLIENT)
    assert outcomes["the services' user"] == "PONG", outcomes
    for refused in ("no password", "default user, the right password", "wrong password"):
        assert outcomes[refused].startswith(("AuthenticationError", "ResponseError")), outcomes
        assert "PONG" not in outcomes[refused]


CONNECT_TO_REDIS = """
import json, socket, sys
outcomes = {}
for target in ("redis", sys.argv[1]):
    try:
        socket.create_connection((target, 6379), timeout=3).close()
        outcomes[target] = "connected"
    except OSError as error:
        outcomes[target] = type(error).__name__ + ": " + str(error)
print(json.dumps(outcomes))
"""


def test_redis_is_out_of_reach_of_the_app_the_emulator_and_nginx(dev_stack: RunningStack) -> None:
    project = dev_stack.project
    redis_details = inspect(project.container_ids("redis")[0])
    redis_networks = set(redis_details["NetworkSettings"]["Networks"])
    assert redis_networks == {f"{project.name}_store"}
    redis_ip = redis_details["NetworkSettings"]["Networks"][f"{project.name}_store"]["IPAddress"]
    for service in ("nginx", "emulator", "demo-app"):
        networks = set(inspect(project.container_ids(service)[0])["NetworkSettings"]["Networks"])
        assert not networks & redis_networks, (service, networks)

    from_services = project.exec_python("auth-service", CONNECT_TO_REDIS, args=[redis_ip])
    assert from_services == {"redis": "connected", redis_ip: "connected"}
    for service in ("demo-app", "emulator"):
        outcomes = project.exec_python(service, CONNECT_TO_REDIS, args=[redis_ip])
        assert "connected" not in outcomes.values(), (service, outcomes)
