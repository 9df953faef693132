"""Real Redis deployments on loopback for the store tests: one server, TLS, Sentinel, Cluster.

Each start_* function returns a RedisDeployment: its processes and the REDIS_URL (plus the
CA file for TLS) that reaches it.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from native_stack.loopback_tls import issue_loopback_tls_files
from native_stack.ports import free_port
from native_stack.processes import ManagedProcess, StackStartError
from native_stack.redis_server import redis_server_binary, start_redis_server

SENTINEL_SERVICE_NAME = "signin-master"
SENTINEL_CONF = """\
port {port}
bind 127.0.0.1
dir "{directory}"
sentinel monitor {service} 127.0.0.1 {master_port} 1
sentinel down-after-milliseconds {service} 5000
"""


@dataclass
class RedisDeployment:
    """Running redis-server processes and how to reach them."""

    url: str
    processes: list[ManagedProcess] = field(default_factory=list)
    ca_file: Path | None = None

    def stop(self) -> None:
        """Stop every process, newest first."""
        for process in reversed(self.processes):
            process.stop()


def start_standalone_redis(run_dir: Path) -> RedisDeployment:
    """One redis-server on a free port."""
    port = free_port()
    process = start_redis_server(
        run_dir / "data", port, appendonly=False, log_path=run_dir / "redis.log"
    )
    return RedisDeployment(url=f"redis://127.0.0.1:{port}/0", processes=[process])


def start_tls_redis(run_dir: Path) -> RedisDeployment:
    """One redis-server that speaks only TLS, with a certificate from a throwaway CA."""
    tls = issue_loopback_tls_files(run_dir / "tls")
    port = free_port()
    ca_file = str(tls.ca_cert)
    tls_args = (
        "--tls-port", str(port),
        "--tls-cert-file", str(tls.server_cert),
        "--tls-key-file", str(tls.server_key),
        "--tls-ca-cert-file", ca_file,
        "--tls-auth-clients", "no",
    )  # fmt: skip

    def answers() -> bool:
        client = redis.Redis(
            port=port, ssl=True, ssl_ca_certs=ca_file, socket_timeout=1, socket_connect_timeout=1
        )
        try:
            return bool(client.ping())
        finally:
            client.close()

    process = start_redis_server(
        run_dir / "data",
        0,
        appendonly=False,
        log_path=run_dir / "redis.log",
        extra_args=tls_args,
        ready=answers,
        name="redis-tls",
    )
    return RedisDeployment(
        url=f"rediss://127.0.0.1:{port}/0", processes=[process], ca_file=tls.ca_cert
    )


def start_sentinel_redis(run_dir: Path) -> RedisDeployment:
    """A master redis-server watched by one Sentinel (quorum 1)."""
    master = start_standalone_redis(run_dir / "master")
    master_port = int(master.url.rsplit(":", 1)[1].split("/")[0])
    sentinel_port = free_port()
    sentinel_dir = run_dir / "sentinel"
    sentinel_dir.mkdir(parents=True, exist_ok=True)
    config = sentinel_dir / "sentinel.conf"  # Sentinel rewrites it, so it must be writable
    config.write_text(
        SENTINEL_CONF.format(
            port=sentinel_port,
            directory=sentinel_dir,
            service=SENTINEL_SERVICE_NAME,
            master_port=master_port,
        )
    )
    sentinel = ManagedProcess(
        "redis-sentinel",
        [redis_server_binary(), str(config), "--sentinel"],
        dict(os.environ),
        sentinel_dir / "sentinel.log",
    )
    deployment = RedisDeployment(
        url=f"redis+sentinel://127.0.0.1:{sentinel_port}/{SENTINEL_SERVICE_NAME}/0",
        processes=[*master.processes, sentinel],
    )
    sentinel.start()
    try:
        sentinel.wait_ready(lambda: _sentinel_knows_master(sentinel_port, master_port))
    except BaseException:
        deployment.stop()
        raise
    return deployment


def _sentinel_knows_master(sentinel_port: int, master_port: int) -> bool:
    client = redis.Redis(port=sentinel_port, socket_timeout=1, socket_connect_timeout=1)
    try:
        address = client.sentinel_get_master_addr_by_name(SENTINEL_SERVICE_NAME)
        return isinstance(address, tuple) and int(address[1]) == master_port
    finally:
        client.close()


def start_redis_cluster(run_dir: Path, *, masters: int = 3) -> RedisDeployment:
    """A Redis Cluster of masters (no replicas), every slot assigned, state ok."""
    deployment = RedisDeployment(url="")
    ports = [free_port() for _ in range(masters)]
    try:
        for index, port in enumerate(ports):
            node_dir = run_dir / f"node-{index}"
            cluster_args = (
                "--cluster-enabled", "yes",
                "--cluster-config-file", str(node_dir / "nodes.conf"),
                "--cluster-port", str(free_port()),
                "--cluster-node-timeout", "5000",
            )  # fmt: skip
            deployment.processes.append(
                start_redis_server(
                    node_dir,
                    port,
                    appendonly=False,
                    log_path=node_dir / "redis.log",
                    extra_args=cluster_args,
                    name=f"redis-cluster-{index}",
                )
            )
        _create_cluster(ports, run_dir / "cluster-create.log")
        deadline = time.monotonic() + 30
        while not all(_cluster_state_ok(port) for port in ports):
            if time.monotonic() > deadline:
                raise StackStartError("the Redis Cluster did not reach cluster_state:ok in 30s")
            time.sleep(0.1)
    except BaseException:
        deployment.stop()
        raise
    deployment.url = "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in ports)
    return deployment


def _create_cluster(ports: list[int], log_path: Path) -> None:
    redis_cli = str(Path(redis_server_binary()).with_name("redis-cli"))
    argv = [
        redis_cli, "--cluster", "create",
        *(f"127.0.0.1:{port}" for port in ports),
        "--cluster-replicas", "0", "--cluster-yes",
    ]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    log_path.write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise StackStartError(f"redis-cli --cluster create failed:\n{result.stdout}{result.stderr}")


def _cluster_state_ok(port: int) -> bool:
    client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
    try:
        info = client.execute_command("CLUSTER", "INFO")  # type: ignore[no-untyped-call]
        text = info.decode() if isinstance(info, bytes) else str(info)
        return "cluster_state:ok" in text
    finally:
        client.close()
