"""The whole stack on loopback: redis-server, the emulator, both services and nginx."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests

from native_stack.edge import (
    DEMO_APP_PATH,
    SITE_DEFAULTS,
    origin_of,
)
from native_stack.emulator_registration import (
    SEED_FILE,
    AppRegistrations,
    EmulatorRegistration,
    read_seeded_registration,
)
from native_stack.loopback_tls import issue_loopback_tls_files
from native_stack.ports import free_port
from native_stack.processes import ManagedProcess, StackStartError
from native_stack.redis_server import ADMIN_USERNAME, RedisAcl, start_redis_server
from native_stack.repository import REPO_ROOT
from native_stack.spa import (
    API_SCOPE_TEMPLATE,
    SPA_PATH,
    seeded_spa_client_id,
    spa_template_values,
)
from native_stack.templates import render_template_dir


@dataclass
class StackOptions:
    """How to run the stack; defaults suit the tests."""

    run_dir: Path
    public_host: str = "127.0.0.1"  # the host in URLs; nginx always listens on 127.0.0.1
    public_port: int | None = None
    auth_workers: int = 2
    graph_workers: int = 2
    auth_service_processes: int = 1  # each on its own port, all behind nginx's upstream
    graph_service_processes: int = 1  # each on its own port, all behind nginx's upstream
    use_emulator: bool = True  # False: a real tenant from CLIENT_ID, CLIENT_SECRET, AUTHORITY
    # The emulator authority's tenant part: the seeded tenant (None), or `organizations` or
    # `common` for a multi-tenant sign-in.
    authority_tenant: str | None = None
    redis_appendonly: bool = False
    redis_maxmemory: str | None = None  # start-redis.sh's REDIS_MAXMEMORY (None: its default)
    emulator_env: dict[str, str] = field(default_factory=dict)
    service_env: dict[str, str] = field(default_factory=dict)
    tls: bool = False  # nginx also serves https (own CA); public_url and PUBLIC_URL become https
    tls_port: int | None = None  # nginx's https port (a free one when None)
    demo_app: bool = False  # run demo-app behind nginx at /app/, for signed-in users only
    demo_app_env: dict[str, str] = field(default_factory=dict)  # demo-app settings to override
    nginx_env: dict[str, str] = field(default_factory=dict)  # nginx template values to override
    # Serve the example SPA at /spa/ (built with npm when stale); needs tls, as msal-browser
    # refuses an http authority. spa_api_scope: the scope it asks for /graph/me.
    spa: bool = False
    spa_api_scope: str | None = None


def require_tools() -> None:
    """Stop with install advice when redis-server or nginx is missing."""
    missing = [tool for tool in ("redis-server", "nginx") if find_tool(tool) is None]
    if missing:
        raise StackStartError(
            "missing: " + ", ".join(missing) + ". Install them with: "
            "sudo apt-get install -y nginx redis-server (Debian/Ubuntu) "
            "or brew install nginx redis (macOS)"
        )


def find_tool(name: str) -> str | None:
    """A program's path, also in the sbin folders a user's PATH often lacks (Debian's nginx)."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")


class NativeStack:
    """Starts and stops every process of the stack, each on its own loopback port."""

    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.run_dir = options.run_dir
        self.public_port = options.public_port or free_port()
        self.redis_port = free_port()
        self.emulator_port = free_port()
        self.auth_ports = [free_port() for _ in range(options.auth_service_processes)]
        self.graph_ports = [free_port() for _ in range(options.graph_service_processes)]
        self.tls_port = options.tls_port or free_port()
        self.demo_app_port = free_port()
        self.processes: dict[str, ManagedProcess] = {}
        self.metrics_ports: dict[str, int] = {}  # per gunicorn process name
        # graph-service's grant port, per process: the app's backend calls Graph there.
        self.grant_ports = {name: free_port() for name in self.process_names("graph-service")}
        self.data_encryption_keys = secrets.token_urlsafe(32)
        self.identity_assertion_key = secrets.token_urlsafe(32)
        # Redis admits only its ACL's users: the services' (redis_url's, with redis_password)
        # and an admin for tests and benchmarks (INFO, CONFIG, ...); new passwords every run.
        self.redis_acl = RedisAcl(
            password=secrets.token_urlsafe(32), admin_password=secrets.token_urlsafe(32)
        )
        self.registration: EmulatorRegistration | None = None

    @property
    def auth_port(self) -> int:
        """The port of the first auth-service process."""
        return self.auth_ports[0]

    @property
    def graph_port(self) -> int:
        """The port of the first graph-service process."""
        return self.graph_ports[0]

    @property
    def public_url(self) -> str:
        """The origin browsers use (https on its own port when the stack runs with TLS)."""
        if self.options.tls:
            return f"https://{self.options.public_host}:{self.tls_port}"
        return self.plain_url

    @property
    def plain_url(self) -> str:
        """nginx's http listener, present with or without TLS."""
        return f"http://{self.options.public_host}:{self.public_port}"

    @property
    def tls_ca_file(self) -> Path:
        """The CA certificate that signed nginx's https certificate (with TLS on)."""
        return self.run_dir / "nginx-tls" / "ca.crt"

    @property
    def emulator_url(self) -> str:
        """The emulator's own (back-channel) https address."""
        return f"https://127.0.0.1:{self.emulator_port}"

    @property
    def ca_file(self) -> Path:
        """The emulator's CA certificate."""
        return self.run_dir / "emulator" / "ca.crt"

    @property
    def redis_url(self) -> str:
        """URL of the stack's own redis-server as the services' user (password not included)."""
        return f"redis://{self.redis_acl.username}@127.0.0.1:{self.redis_port}/0"

    @property
    def redis_password(self) -> str:
        """The password of redis_url's user, which the services get as REDIS_PASSWORD."""
        return self.redis_acl.password

    def redis_client(self, *, admin: bool = False) -> redis.Redis:
        """A client of the stack's redis-server as the services' user; admin: as the tests'
        user that may run any command (CONFIG, INFO, FLUSHALL) on any key. Close it after use."""
        if admin:
            username, password = ADMIN_USERNAME, self.redis_acl.admin_password
        else:
            username, password = self.redis_acl.username, self.redis_acl.password
        return redis.Redis(port=self.redis_port, username=username, password=password)

    def start(self) -> None:
        """Start everything in dependency order and wait until each is ready."""
        require_tools()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.start_redis()
            if self.options.use_emulator:
                self._start_emulator()
                self.registration = read_seeded_registration()
                registrations = AppRegistrations(self.emulator_url, self.ca_file)
                # The seeded registration lists http loopback addresses only (their port is
                # ignored, as Entra does); an https origin is registered with its port.
                https_uris = {
                    "redirect_uris": [self.redirect_uri],
                    "post_logout_redirect_uris": [self.public_url + "/"],
                }
                registrations.update(
                    self.registration.client_id,
                    add=https_uris if self.options.tls else None,
                    set_fields={
                        "front_channel_logout_url": self.public_url + "/logout/frontchannel"
                    },
                )
                if self.options.spa:
                    self._register_spa()
            for service in ("auth-service", "graph-service"):
                self.start_service(service)
            if self.options.demo_app:
                self.start_demo_app()
            self._start_nginx()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every process, newest first."""
        for process in reversed(list(self.processes.values())):
            process.stop()

    def __enter__(self) -> NativeStack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start_redis(self) -> None:
        """Start (or restart) the stack's redis-server on its port."""
        previous = self.processes.pop("redis", None)
        if previous is not None:
            previous.stop()
        self.processes["redis"] = start_redis_server(
            self.run_dir / "redis",
            self.redis_port,
            appendonly=self.options.redis_appendonly,
            log_path=self.run_dir / "logs" / "redis.log",
            acl=self.redis_acl,
            maxmemory=self.options.redis_maxmemory,
        )

    def stop_redis(self) -> None:
        """Stop the stack's redis-server (tests of Redis failures)."""
        self.processes["redis"].stop()

    def _start_emulator(self) -> None:
        env = dict(os.environ, **self.options.emulator_env)
        env["EMULATOR_BROWSER_URL"] = self.public_url + "/_emulator"
        env["EMULATOR_ISSUER_URL"] = self.emulator_url  # the issuer the services' AUTHORITY reads
        argv = [
            sys.executable, "-m", "ms_emulator", "serve",
            "--bind", f"127.0.0.1:{self.emulator_port}",
            "--state-dir", str(self.run_dir / "emulator"),
        ]  # fmt: skip
        process = self._launch("emulator", argv, env)
        process.wait_ready(lambda: self._https_ok(self.emulator_url + "/healthz"), 60)

    def _https_ok(self, url: str) -> bool:
        with requests.Session() as session:
            session.trust_env = False
            return session.get(url, verify=str(self.ca_file), timeout=2).status_code == 200

    def service_environment(self) -> dict[str, str]:
        """The environment both services run with."""
        env = dict(os.environ)
        env.pop("REDIS_PASSWORD_FILE", None)  # it would win over REDIS_PASSWORD
        env.update(
            APP_ENV="development",
            REDIS_URL=self.redis_url,
            REDIS_PASSWORD=self.redis_password,
            DATA_ENCRYPTION_KEYS=self.data_encryption_keys,
            IDENTITY_ASSERTION_KEY=self.identity_assertion_key,
            PUBLIC_URL=self.public_url,
        )
        if self.registration is not None:
            env.update(
                CLIENT_ID=self.registration.client_id,
                CLIENT_SECRET=self.registration.client_secret,
                AUTHORITY=f"{self.emulator_url}/"
                + (self.options.authority_tenant or self.registration.tenant_id),
                INSTANCE_DISCOVERY="false",
                TRUSTED_CA_BUNDLE=str(self.ca_file),
                GRAPH_BASE_URL=f"{self.emulator_url}/v1.0",
            )
        if self.options.demo_app:
            env["APP_PATH"] = DEMO_APP_PATH
        env.update(self.options.service_env)
        own = self.options.service_env
        if "REDIS_URL" in own and "REDIS_PASSWORD" not in own:
            del env["REDIS_PASSWORD"]  # another Redis: its URL says how to sign in to it
        return env

    @property
    def _redirect_path(self) -> str:
        return self.options.service_env.get("REDIRECT_PATH", SITE_DEFAULTS["REDIRECT_PATH"])

    @property
    def redirect_uri(self) -> str:
        """Where the identity platform sends the browser back after sign-in."""
        return self.public_url + self._redirect_path

    def start_demo_app(self) -> None:
        """Start demo-app under gunicorn (it gets no secrets: nginx tells it who the user is,
        and it verifies the signed principal with the keys auth-service publishes)."""
        grant_port = self.grant_ports[self.process_names("graph-service")[0]]
        env = dict(
            os.environ,
            APP_PATH=DEMO_APP_PATH,
            GRAPH_SERVICE_URL=f"http://127.0.0.1:{grant_port}",
            PRINCIPAL_JWKS_URL=self.principal_jwks_url,
            PRINCIPAL_ISSUER=self.public_url,
            PRINCIPAL_AUDIENCE=self.public_url + DEMO_APP_PATH,
            **self.options.demo_app_env,
        )
        argv = [
            sys.executable, "-m", "gunicorn",
            "--bind", f"127.0.0.1:{self.demo_app_port}", "--workers", "1",
            "--threads", "8",  # an open WebSocket holds a thread
            "--log-level", "warning", "demo_app.app:create_app()",
        ]  # fmt: skip
        process = self._launch("demo-app", argv, env)
        process.wait_ready(lambda: _http_ok(f"http://127.0.0.1:{self.demo_app_port}/healthz"))

    @property
    def principal_jwks_url(self) -> str:
        """Where demo-app fetches the signed principal's keys: straight from auth-service, so
        nginx's access log holds only what clients asked (and TLS changes nothing)."""
        return f"http://127.0.0.1:{self.auth_port}/.well-known/jwks.json"

    def start_service(self, name: str) -> None:
        """Start every process of auth-service or graph-service (also used to restart them)."""
        for process_name in self.process_names(name):
            self.start_process(process_name)

    def process_names(self, service: str) -> list[str]:
        """The names of a service's processes: `graph-service`, `graph-service-2`, ..."""
        count = len(self.auth_ports if service == "auth-service" else self.graph_ports)
        return [service if index == 0 else f"{service}-{index + 1}" for index in range(count)]

    def start_process(self, process_name: str) -> None:
        """Start (or restart) one process of a service, e.g. `graph-service-2`."""
        service, _, number = process_name.partition("-service")
        index = int(number.lstrip("-") or "1") - 1
        if service == "auth":
            port, workers = self.auth_ports[index], self.options.auth_workers
        else:
            port, workers = self.graph_ports[index], self.options.graph_workers
        self._start_gunicorn(process_name, f"{service}_service", port, workers)

    def _start_gunicorn(self, name: str, module: str, port: int, workers: int) -> None:
        argv = [
            sys.executable, "-m", "gunicorn", "-c", "python:signin_core.web.gunicorn_config",
            f"{module}.app:create_app()",
        ]  # fmt: skip
        metrics_port = self.metrics_ports.setdefault(name, free_port())
        env = self.service_environment()
        env.update(
            BIND_HOST="127.0.0.1",
            PORT=str(port),
            METRICS_PORT=str(metrics_port),
            WEB_CONCURRENCY=str(workers),
            PROMETHEUS_MULTIPROC_DIR=str(self.run_dir / "prometheus" / name),
        )
        if name in self.grant_ports:
            env["GRANT_PORT"] = str(self.grant_ports[name])
        process = self._launch(name, argv, env)
        process.wait_ready(lambda: _http_ok(f"http://127.0.0.1:{port}/healthz"))

    def _start_nginx(self) -> None:
        nginx_dir = self.run_dir / "nginx"
        if nginx_dir.exists():
            shutil.rmtree(nginx_dir)
        nginx_dir.mkdir(parents=True)  # nginx makes its temp folders in it (nginx.conf)
        shutil.copy(REPO_ROOT / "nginx" / "nginx.conf", nginx_dir / "nginx.conf")
        values = {
            "NGINX_LISTEN": f"127.0.0.1:{self.public_port}",
            "AUTH_SERVICE_SERVERS": _upstream_servers(self.auth_ports),
            "GRAPH_SERVICE_SERVERS": _upstream_servers(self.graph_ports),
            "NGINX_RESOLVER": "",
            "EMULATOR_ADDR": f"127.0.0.1:{self.emulator_port}",
            "EMULATOR_CA_FILE": str(self.ca_file),
            **SITE_DEFAULTS,
            "REDIRECT_PATH": self._redirect_path,
            "SESSION_COOKIE_NAME": self.options.service_env.get(
                "SESSION_COOKIE_NAME", SITE_DEFAULTS["SESSION_COOKIE_NAME"]
            ),
            "IDENTITY_PLATFORM_ORIGIN": self._identity_platform_origin(),
        }
        leave_out = set()
        if not self.options.use_emulator:
            leave_out.add("locations")
        if self.options.demo_app:
            values["APP_UPSTREAM"] = f"127.0.0.1:{self.demo_app_port}"
        if self.options.spa:
            values.update(self.spa_values())
        else:
            leave_out.add("spa")
        if self.options.tls:
            tls_files = issue_loopback_tls_files(self.tls_ca_file.parent)
            values["TLS_LISTEN"] = f"127.0.0.1:{self.tls_port}"
            values["TLS_CERTIFICATE"] = str(tls_files.server_cert)
            values["TLS_CERTIFICATE_KEY"] = str(tls_files.server_key)
            values["HTTPS_PUBLIC_PORT"] = str(self.tls_port)
        else:
            leave_out.add("tls")
        values.update(self.options.nginx_env)
        if "APP_UPSTREAM" not in values:
            leave_out.add("app")
        render_template_dir(
            REPO_ROOT / "nginx" / "templates", nginx_dir / "conf.d", values, leave_out=leave_out
        )
        # Started by root, nginx runs its workers as nobody, who may not enter the run folder
        # (a test's temporary folder is 0700): every body nginx buffers to a file (over 16 KB)
        # would answer 500. Natively, its workers run as whoever runs the stack.
        workers_user = " user root;" if os.geteuid() == 0 else ""
        argv = [
            find_tool("nginx") or "nginx",
            "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf"),
            "-e", "stderr", "-g", "daemon off;" + workers_user,
        ]  # fmt: skip
        process = self._launch("nginx", argv, dict(os.environ))
        process.wait_ready(lambda: _http_ok(self.plain_url + "/healthz"))

    @property
    def spa_url(self) -> str:
        """The example SPA's page (with spa on)."""
        return self.public_url + SPA_PATH

    @property
    def spa_client_id(self) -> str:
        """The client id of the emulator's seeded SPA registration."""
        return seeded_spa_client_id(Path(os.environ.get("EMULATOR_SEED_FILE") or SEED_FILE))

    def _register_spa(self) -> None:
        if not self.options.tls:
            raise StackStartError(
                "the SPA needs the stack's https (msal-browser refuses an http authority): "
                "run with tls"
            )
        AppRegistrations(self.emulator_url, self.ca_file).update(
            self.spa_client_id,
            add={"spa_redirect_uris": [self.spa_url], "post_logout_redirect_uris": [self.spa_url]},
        )

    def spa_values(self) -> dict[str, str]:
        """nginx's values for the SPA: its files, and the settings its config.json holds."""
        assert self.registration is not None, "the SPA signs in against the emulator"
        return spa_template_values(
            public_url=self.public_url,
            emulator_url=self.emulator_url,
            tenant_id=self.registration.tenant_id,
            client_id=self.spa_client_id,
            api_scope=self.options.spa_api_scope
            or API_SCOPE_TEMPLATE.format(client_id=self.registration.client_id),
        )

    def _identity_platform_origin(self) -> str:
        if self.options.use_emulator:
            return origin_of(self.public_url)  # its pages are ours, under /_emulator/
        authority = self.service_environment().get("AUTHORITY")
        return origin_of(authority) if authority else SITE_DEFAULTS["IDENTITY_PLATFORM_ORIGIN"]

    def _launch(self, name: str, argv: list[str], env: dict[str, str]) -> ManagedProcess:
        previous = self.processes.get(name)
        if previous is not None:
            previous.stop()
        process = ManagedProcess(name, argv, env, self.run_dir / "logs" / f"{name}.log", REPO_ROOT)
        self.processes[name] = process
        process.start()
        return process


def _upstream_servers(ports: list[int]) -> str:
    """`server` lines of an nginx upstream, one per loopback port (see the template's note
    on max_fails=0)."""
    return "\n    ".join(f"server 127.0.0.1:{port} max_fails=0;" for port in ports)


def _http_ok(url: str) -> bool:
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url, timeout=2).status_code == 200
