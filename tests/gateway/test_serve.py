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
        instances = {_instance(f"http://127.0.0.1:{port}/metrics") for _ in range(24)}
    assert all(a.json()["data"] == {"offender": {"crn": "X000004"}} for a in answers)
    assert len(instances) == 2  # the kernel spread new connections over both workers
    assert "(2 processes)" in (tmp_path / "serve.log").read_text()
    assert main(["audit", "verify", "--file", str(audit)]) == 0
    assert len(audit.read_text().splitlines()) == 12


def test_a_served_socket_gives_every_connection_tcp_nodelay():
    """Bound as TCP explicitly, asyncio sets NODELAY itself (protocol 0 left Nagle on)."""
    import asyncio
    import socket

    from gateway.serving import listening_socket

    async def accept_one() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport) -> None:
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        listener = listening_socket("127.0.0.1", 0, reuse_port=True)
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        try:
            return await asyncio.wait_for(accepted, 5)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(accept_one()) != 0


def _instance(metrics_url: str) -> str:
    """The answering process's OpenTelemetry service instance id, on a fresh connection."""
    text = httpx.get(metrics_url, timeout=10).text
    return text.split('service_instance_id="', 1)[1].split('"', 1)[0]
