"""Compose files, Dockerfiles and the nginx config, checked statically (no Docker engine here)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from native_stack.loopback_tls import issue_loopback_tls_files
from native_stack.stack import REPO_ROOT
from native_stack.templates import PLACEHOLDER, render_template_dir

TOOLS_DIR = Path(sys.executable).parent
DOCKERFILES = sorted([*REPO_ROOT.glob("*/Dockerfile"), *REPO_ROOT.glob("examples/*/Dockerfile")])
REQUIRED_SECRETS = (
    "CLIENT_ID",
    "CLIENT_SECRET",
    "AUTHORITY",
    "REDIS_PASSWORD",
    "DATA_ENCRYPTION_KEYS",
)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(TOOLS_DIR)) or shutil.which(name)
    assert found, f"{name} is not installed (make install provides it)"
    return found


def compose(*files: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [tool("docker-compose"), "--project-directory", str(REPO_ROOT)]
    for name in files:
        argv += ["-f", str(REPO_ROOT / name)]
    clean_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [*argv, "config"], env={**clean_env, **(env or {})}, capture_output=True, text=True
    )


def test_compose_with_override_runs_with_no_env_file() -> None:
    result = compose("docker-compose.yml", "docker-compose.override.yml")
    assert result.returncode == 0, result.stderr
    for service in ("redis", "emulator", "auth-service", "graph-service", "nginx", "demo-app"):
        assert f"  {service}:" in result.stdout


def test_compose_tls_file_adds_an_https_listener_to_either_form() -> None:
    development = compose(
        "docker-compose.yml", "docker-compose.override.yml", "docker-compose.tls.yml"
    )
    assert development.returncode == 0, development.stderr
    assert "/etc/nginx/templates/tls" in development.stdout
    assert "target: 8443" in development.stdout
    env = {name: f"value-of-{name.lower()}" for name in REQUIRED_SECRETS}
    env.update(IDENTITY_ASSERTION_KEY="k" * 40, PUBLIC_URL="https://app.example.com")
    production = compose(
        "docker-compose.yml", "docker-compose.prod.yml", "docker-compose.tls.yml", env=env
    )
    assert production.returncode == 0, production.stderr
    assert "/etc/nginx/templates/tls" in production.stdout


def test_compose_services_wait_for_healthy_dependencies() -> None:
    result = compose("docker-compose.yml", "docker-compose.override.yml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("condition: service_healthy") >= 4
    assert result.stdout.count("healthcheck:") >= 4


def test_production_compose_refuses_missing_secrets() -> None:
    result = compose("docker-compose.yml", "docker-compose.prod.yml")
    assert result.returncode != 0
    assert "required variable" in result.stderr


def test_production_compose_takes_a_certificate_instead_of_a_secret() -> None:
    env = {name: f"value-of-{name.lower()}" for name in REQUIRED_SECRETS if name != "CLIENT_SECRET"}
    env.update(
        IDENTITY_ASSERTION_KEY="k" * 40,
        PUBLIC_URL="https://app.example.com",
        CLIENT_CERTIFICATE_PATH="/run/secrets/signin/client.pem",
    )
    result = compose("docker-compose.yml", "docker-compose.prod.yml", env=env)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in ("auth-service", "graph-service"):
        environment = services[name]["environment"]
        assert environment["CLIENT_CERTIFICATE_PATH"] == "/run/secrets/signin/client.pem"
        assert not environment["CLIENT_SECRET"]
        mounts = {volume["target"]: volume for volume in services[name]["volumes"]}
        assert mounts["/run/secrets/signin"]["read_only"] is True


def test_production_compose_accepts_full_configuration() -> None:
    env = {name: f"value-of-{name.lower()}" for name in REQUIRED_SECRETS}
    env.update(IDENTITY_ASSERTION_KEY="k" * 40, PUBLIC_URL="https://app.example.com")
    result = compose("docker-compose.yml", "docker-compose.prod.yml", env=env)
    assert result.returncode == 0, result.stderr
    assert "emulator" not in result.stdout
    assert "demo-app" not in result.stdout


def test_the_app_principal_keys_reach_auth_service_alone_and_demo_app_verifies() -> None:
    env = {name: f"value-of-{name.lower()}" for name in REQUIRED_SECRETS}
    env.update(
        IDENTITY_ASSERTION_KEY="k" * 40,
        PUBLIC_URL="https://app.example.com",
        APP_PRINCIPAL_SIGNING_KEYS_FILE="/run/secrets/signin/app-principal.pem",
    )
    production = yaml.safe_load(
        compose("docker-compose.yml", "docker-compose.prod.yml", env=env).stdout
    )["services"]
    auth = production["auth-service"]["environment"]
    assert auth["APP_PRINCIPAL_SIGNING_KEYS_FILE"] == "/run/secrets/signin/app-principal.pem"
    assert auth["APP_ENV"] == "production" and auth["CLIENT_ID"] == "value-of-client_id"
    assert not {"APP_PRINCIPAL_SIGNING_KEYS", "APP_PRINCIPAL_SIGNING_KEYS_FILE"} & set(
        production["graph-service"]["environment"]
    )
    development = yaml.safe_load(
        compose("docker-compose.yml", "docker-compose.override.yml").stdout
    )["services"]
    assert not development["auth-service"]["environment"]["APP_PRINCIPAL_SIGNING_KEYS"]
    demo = development["demo-app"]["environment"]
    assert demo["PRINCIPAL_JWKS_URL"] == "http://nginx:8080/.well-known/jwks.json"
    assert demo["PRINCIPAL_AUDIENCE"] == "http://localhost:5000/app/"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_dockerfile_passes_hadolint(dockerfile: Path) -> None:
    result = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "warning", str(dockerfile)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_dockerfile_runs_as_non_root_with_healthcheck(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    assert "HEALTHCHECK" in text
    if "nginx-unprivileged" not in text:
        assert "\nUSER " in text and "USER root" not in text


def test_every_service_folder_has_a_dockerfile() -> None:
    folders = {path.parent.name for path in DOCKERFILES}
    assert {"auth-service", "graph-service", "emulator", "nginx", "demo-app"} <= folders


def dockerfile_env(dockerfile: Path) -> dict[str, str]:
    """The NAME=value pairs of a Dockerfile's ENV instructions."""
    text = dockerfile.read_text().replace("\\\n", " ")
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                name, _, value = pair.partition("=")
                values[name] = value
    return values


NGINX_TEMPLATES = REPO_ROOT / "nginx" / "templates"
IMAGE_TEMPLATES = [NGINX_TEMPLATES / "default.conf.template", NGINX_TEMPLATES / "snippets"]
# What compose gives nginx for the optional parts, beyond the image's defaults.
OPTIONAL_PART_VALUES = {
    "locations": {"EMULATOR_ADDR": "127.0.0.1:8443", "EMULATOR_CA_FILE": "ca.crt"},
    "app": {"APP_UPSTREAM": "127.0.0.1:8002"},
    "tls": {},
    "spa": {
        "SPA_AUTHORITY": "https://localhost:5443/_emulator/tenant",
        "SPA_CLIENT_ID": "client",
        "SPA_API_SCOPE": "api://app/access_as_user",
        "SPA_KNOWN_AUTHORITIES": "localhost:5443 emulator:8443",
    },
}


def template_variables(*paths: Path) -> set[str]:
    files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*.template"))]
    return {name for f in files for name in PLACEHOLDER.findall(f.read_text())}


def test_nginx_image_gives_every_template_variable_a_value() -> None:
    # The image's template step leaves a variable without a value as literal text.
    defined = dockerfile_env(REPO_ROOT / "nginx" / "Dockerfile")
    assert template_variables(*IMAGE_TEMPLATES) <= set(defined)
    for part, extra in OPTIONAL_PART_VALUES.items():
        assert template_variables(NGINX_TEMPLATES / part) <= set(defined) | set(extra), part


def test_nginx_image_ships_only_the_always_present_templates() -> None:
    lines = (REPO_ROOT / "nginx" / "Dockerfile").read_text().splitlines()
    sources = {line.split()[1] for line in lines if line.startswith("COPY ")}
    assert {source for source in sources if source.startswith("nginx/")} == {
        "nginx/nginx.conf",
        "nginx/templates/default.conf.template",
        "nginx/templates/snippets/",
        "nginx/entrypoint/10-identity-platform-origin.envsh",
    }


def test_nginx_image_builds_the_spa_and_serves_it_from_spa_root() -> None:
    # The SPA (examples/spa) is built in the image's node stage, from its lock file.
    lines = (REPO_ROOT / "nginx" / "Dockerfile").read_text().splitlines()
    assert "    npm ci --no-audit --no-fund" in lines and "RUN npm run build" in lines
    shipped = [line.split() for line in lines if line.startswith("COPY --from=spa ")]
    assert [words[-1] for words in shipped] == [
        dockerfile_env(REPO_ROOT / "nginx" / "Dockerfile")["SPA_ROOT"] + "/"
    ]


@pytest.mark.parametrize(
    "optional_parts",
    [(), ("locations", "app"), ("tls",), ("locations", "app", "tls")],
    ids=["production", "development", "production-tls", "development-tls"],
)
def test_rendered_nginx_config_passes_nginx_t(
    tmp_path: Path, optional_parts: tuple[str, ...]
) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert nginx, "nginx is not installed"
    shutil.copy(REPO_ROOT / "nginx" / "nginx.conf", tmp_path / "nginx.conf")
    tls_files = issue_loopback_tls_files(tmp_path / "tls")
    values = {
        **dockerfile_env(REPO_ROOT / "nginx" / "Dockerfile"),
        # nginx -t resolves upstream names: loopback stands in for compose's service names.
        "NGINX_LISTEN": "127.0.0.1:8080",
        "AUTH_SERVICE_SERVERS": "server 127.0.0.1:8000;",
        "NGINX_RESOLVER": "resolver 127.0.0.1 valid=5s ipv6=off;",
        "GRAPH_SERVICE_SERVERS": "server 127.0.0.1:8001;\n    server 127.0.0.1:8002;",
        "TLS_LISTEN": "127.0.0.1:8443",
        "TLS_CERTIFICATE": str(tls_files.server_cert),
        "TLS_CERTIFICATE_KEY": str(tls_files.server_key),
    }
    for part in optional_parts:
        values.update(OPTIONAL_PART_VALUES[part])
    values["EMULATOR_CA_FILE"] = str(tls_files.ca_cert)
    left_out = set(OPTIONAL_PART_VALUES) - set(optional_parts)
    render_template_dir(NGINX_TEMPLATES, tmp_path / "conf.d", values, leave_out=left_out)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


# Hardening, checked on what compose really runs: `docker compose config` of every form.
COMPOSE_FORMS = {
    "development": ("docker-compose.yml", "docker-compose.override.yml"),
    "development-tls": (
        "docker-compose.yml",
        "docker-compose.override.yml",
        "docker-compose.tls.yml",
    ),
    "production": ("docker-compose.yml", "docker-compose.prod.yml"),
    # The README's example of your own app behind the stack, added to either form.
    "development-your-app": (
        "docker-compose.yml",
        "docker-compose.override.yml",
        "examples/your-app/compose.yaml",
    ),
    "production-your-app": (
        "docker-compose.yml",
        "docker-compose.prod.yml",
        "examples/your-app/compose.yaml",
    ),
}
PRODUCTION_ENV = {
    **{name: f"value-of-{name.lower()}" for name in REQUIRED_SECRETS},
    "IDENTITY_ASSERTION_KEY": "k" * 40,
    "PUBLIC_URL": "https://app.example.com",
}
# Where each service writes at run time; every other path is read-only. A service not listed
# writes only /tmp.
WRITTEN_PATHS = {
    "redis": ["/data"],
    "emulator": ["/var/lib/emulator"],
    "nginx": ["/etc/nginx/conf.d"],  # and /tmp, its prefix
}


def rendered_services(form: str) -> dict[str, dict[str, object]]:
    result = compose(
        *COMPOSE_FORMS[form], env=PRODUCTION_ENV if form.startswith("production") else None
    )
    assert result.returncode == 0, result.stderr
    services: dict[str, dict[str, object]] = yaml.safe_load(result.stdout)["services"]
    return services


def writable_paths(service: dict[str, object]) -> list[str]:
    """tmpfs mounts and volumes mounted read-write."""
    tmpfs = service.get("tmpfs") or []
    volumes = service.get("volumes") or []
    assert isinstance(tmpfs, list) and isinstance(volumes, list)
    return [str(path).split(":")[0] for path in tmpfs] + [
        str(volume["target"]) for volume in volumes if not volume.get("read_only")
    ]


def is_within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


@pytest.mark.parametrize("form", sorted(COMPOSE_FORMS))
def test_every_compose_service_runs_hardened(form: str) -> None:
    services = rendered_services(form)
    assert {"redis", "auth-service", "graph-service", "nginx"} <= services.keys()
    for name, service in services.items():
        assert service.get("read_only") is True, f"{name}: read_only: true"
        assert service.get("cap_drop") == ["ALL"], f"{name}: cap_drop: [ALL]"
        assert not service.get("cap_add"), f"{name}: adds capabilities"
        assert not service.get("privileged"), f"{name}: privileged"
        assert "no-new-privileges:true" in (service.get("security_opt") or []), name
        assert str(service.get("user", "")).split(":")[0] not in {"0", "root"}, name


@pytest.mark.parametrize("form", sorted(COMPOSE_FORMS))
def test_what_each_compose_service_writes_is_writable(form: str) -> None:
    for name, service in rendered_services(form).items():
        writable = writable_paths(service)
        for path in ["/tmp", *WRITTEN_PATHS.get(name, [])]:
            assert any(is_within(path, place) for place in writable), f"{name}: {path}"


@pytest.mark.parametrize("form", ["development-your-app", "production-your-app"])
def test_the_your_app_example_puts_its_app_behind_nginx_alone(form: str) -> None:
    services = rendered_services(form)
    nginx, app = services["nginx"], services["your-app"]
    assert nginx["environment"]["APP_UPSTREAM"] == "your-app:8000"  # type: ignore[index]
    mounts = {volume["target"]: volume["source"] for volume in nginx["volumes"]}  # type: ignore[attr-defined]
    assert mounts["/etc/nginx/templates/app"] == str(REPO_ROOT / "nginx/templates/app")
    assert app["build"]["context"] == str(REPO_ROOT / "examples/your-app")  # type: ignore[index]
    assert not app.get("ports"), "only nginx publishes a port"
    (app_network,) = app["networks"]  # type: ignore[misc]
    on_it = {name for name, service in services.items() if app_network in service["networks"]}
    assert on_it == {"nginx", "your-app"}, on_it


def test_redis_runs_as_its_own_user_not_root() -> None:
    # With no capabilities the official entrypoint could not step down from root itself: our
    # image starts as the redis user (alpine: 999:1000), and compose keeps it.
    assert "\nUSER 999:1000\n" in (REPO_ROOT / "redis" / "Dockerfile").read_text()
    for form in COMPOSE_FORMS:
        assert "user" not in rendered_services(form)["redis"], form


def published_addresses(service: dict[str, object]) -> list[str]:
    """The host address of each port a service publishes."""
    ports = service.get("ports") or []
    assert isinstance(ports, list)
    return [str(port.get("host_ip", "0.0.0.0")) for port in ports]


def test_development_publishes_nginx_on_loopback_only() -> None:
    for form in ("development", "development-tls"):
        assert set(published_addresses(rendered_services(form)["nginx"])) == {"127.0.0.1"}


def test_production_publishes_nginx_on_a_configurable_address() -> None:
    assert set(published_addresses(rendered_services("production")["nginx"])) == {"0.0.0.0"}
    env = {**PRODUCTION_ENV, "PUBLIC_BIND_ADDRESS": "10.1.2.3"}
    result = compose(*COMPOSE_FORMS["production"], env=env)
    assert result.returncode == 0, result.stderr
    nginx = yaml.safe_load(result.stdout)["services"]["nginx"]
    assert set(published_addresses(nginx)) == {"10.1.2.3"}


@pytest.mark.parametrize("form", sorted(COMPOSE_FORMS))
def test_redis_shares_an_internal_network_with_the_two_services_only(form: str) -> None:
    result = compose(
        *COMPOSE_FORMS[form], env=PRODUCTION_ENV if form.startswith("production") else None
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    (store,) = config["services"]["redis"]["networks"]
    assert config["networks"][store].get("internal") is True
    members = {name for name, service in config["services"].items() if store in service["networks"]}
    assert members == {"redis", "auth-service", "graph-service"}, (form, members)


@pytest.mark.parametrize("form", sorted(COMPOSE_FORMS))
def test_redis_has_a_password_the_services_share(form: str) -> None:
    services = rendered_services(form)
    password = services["redis"]["environment"]["REDIS_PASSWORD"]  # type: ignore[index]
    assert password, form
    for name in ("auth-service", "graph-service"):
        environment = services[name]["environment"]
        assert environment["REDIS_PASSWORD"] == password, (form, name)  # type: ignore[index]
        assert environment["REDIS_URL"] == "redis://signin@redis:6379/0"  # type: ignore[index]


def test_production_requires_the_redis_password() -> None:
    env = {**PRODUCTION_ENV}
    del env["REDIS_PASSWORD"]
    result = compose(*COMPOSE_FORMS["production"], env=env)
    assert result.returncode != 0
    assert "required variable REDIS_PASSWORD is missing a value" in result.stderr


def kubernetes_nginx_values(overlay: str | None) -> dict[str, str]:
    """The nginx template values the Kubernetes base (and an overlay's nginx.env) give."""
    base = yaml.safe_load((REPO_ROOT / "deploy/kubernetes/base/kustomization.yaml").read_text())
    generator = next(
        item for item in base["configMapGenerator"] if item["name"] == "nginx-template-values"
    )
    values = dict(literal.split("=", 1) for literal in generator["literals"])
    if overlay:
        env_file = REPO_ROOT / "deploy/kubernetes/overlays" / overlay / "nginx.env"
        for line in env_file.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                name, _, value = line.partition("=")
                values[name] = value
    return values


@pytest.mark.parametrize("overlay", [None, "production"], ids=["base", "production"])
def test_kubernetes_nginx_values_pass_nginx_t(tmp_path: Path, overlay: str | None) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert nginx, "nginx is not installed"
    shutil.copy(REPO_ROOT / "nginx" / "nginx.conf", tmp_path / "nginx.conf")
    values = {
        **dockerfile_env(REPO_ROOT / "nginx" / "Dockerfile"),
        **kubernetes_nginx_values(overlay),
    }
    # nginx -t resolves upstream names: loopback stands in for the Services' names.
    for name in ("AUTH_SERVICE_SERVERS", "GRAPH_SERVICE_SERVERS"):
        values[name] = (
            values[name].replace("auth-service", "127.0.0.1").replace("graph-service", "127.0.0.1")
        )
    values["NGINX_LISTEN"] = "127.0.0.1:" + values["NGINX_LISTEN"].rsplit(":", 1)[-1]
    render_template_dir(
        NGINX_TEMPLATES, tmp_path / "conf.d", values, leave_out=set(OPTIONAL_PART_VALUES)
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("form", sorted(COMPOSE_FORMS))
def test_compose_gives_nginx_the_session_cookie_name_auth_service_uses(form: str) -> None:
    # nginx takes the session cookie out of the protected app's requests by this name; were
    # the two to differ, the app would receive the session cookie.
    for chosen in (None, "__Host-sid"):
        env = {**(PRODUCTION_ENV if form.startswith("production") else {})}
        if chosen:
            env["SESSION_COOKIE_NAME"] = chosen
        result = compose(*COMPOSE_FORMS[form], env=env)
        assert result.returncode == 0, result.stderr
        services = yaml.safe_load(result.stdout)["services"]
        names = {
            services[name]["environment"]["SESSION_COOKIE_NAME"]
            for name in ("auth-service", "nginx")
        }
        assert names == {chosen or "signin_session"}, (form, names)


def test_kubernetes_gives_nginx_the_session_cookie_name_the_services_use() -> None:
    base = yaml.safe_load((REPO_ROOT / "deploy/kubernetes/base/kustomization.yaml").read_text())
    values = {
        item["name"]: dict(literal.split("=", 1) for literal in item["literals"])
        for item in base["configMapGenerator"]
    }
    assert (
        values["signin-config"]["SESSION_COOKIE_NAME"]
        == values["nginx-template-values"]["SESSION_COOKIE_NAME"]
    )


@pytest.mark.parametrize("form", sorted(COMPOSE_FORMS))
def test_compose_gives_nginx_the_public_url_only_production_requires(form: str) -> None:
    # With PUBLIC_URL nginx refuses every other host; the development form serves any.
    env = {**(PRODUCTION_ENV if form.startswith("production") else {})}
    result = compose(*COMPOSE_FORMS[form], env=env)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    expected = "https://app.example.com" if form.startswith("production") else ""
    assert services["nginx"]["environment"]["PUBLIC_URL"] == expected, form
