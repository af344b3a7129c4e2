"""`casegraph serve` starts a real server and tells a newcomer what to do."""

import httpx

from bench.processes import free_port, process


def test_serve_prints_the_url_and_demo_tokens_and_answers(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with process(["serve", "--port", str(port)], f"http://127.0.0.1:{port}/healthz", log):
        printed = log.read_text()
        assert f"http://127.0.0.1:{port}/graphql" in printed
        token = printed.split("Authorization: Bearer ", 1)[1].split()[0]
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql",
                            json={"query": "{ viewer { organisation } }"},
                            headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert answer.json()["data"] == {"viewer": {"organisation": "C01"}}


def test_serve_with_two_workers_answers_and_they_share_one_audit_chain(tmp_path):
    from gateway.cli import main
    from gateway.tokens import mint

    config = tmp_path / "gateway.toml"
    audit = tmp_path / "audit.jsonl"
    config.write_text('[auth]\ndemo = true\n[providers.embedded]\ntype = "embedded"\n'
                      f'[audit]\npath = "{audit}"\n')
    port = free_port()
    query = {"query": '{ offender(crn: "X000004") { crn } }'}
    with process(["serve", "--config", str(config), "--port", str(port), "--workers", "2"],
                 f"http://127.0.0.1:{port}/healthz", tmp_path / "serve.log"), \
            httpx.Client(headers={"Authorization": f"Bearer {mint('C01')}"}) as client:
        answers = [client.post(f"http://127.0.0.1:{port}/graphql", json=query, timeout=10)
                   for _ in range(12)]
    assert all(a.json()["data"] == {"offender": {"crn": "X000004"}} for a in answers)
    assert "(2 processes)" in (tmp_path / "serve.log").read_text()
    assert main(["audit", "verify", "--file", str(audit)]) == 0
    assert len(audit.read_text().splitlines()) == 12


def test_each_connection_gets_tcp_nodelay_even_on_a_socket_bound_as_workers_bind_it():
    """uvicorn's worker path binds with protocol 0, which asyncio will not set NODELAY for."""
    import asyncio
    import socket

    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from gateway.serving import NoDelayH11

    async def healthz(scope, receive, send) -> None: ...

    listener = socket.socket(socket.AF_INET)  # as uvicorn's Config.bind_socket does
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()

    class Transport(asyncio.Transport):
        def get_extra_info(self, name, default=None):
            return accepted if name == "socket" else default

    async def connect() -> None:
        NoDelayH11(Config(app=healthz), ServerState(), {}).connection_made(Transport())
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        asyncio.run(connect())
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        for s in (client, accepted, listener):
            s.close()
