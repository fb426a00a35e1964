"""The sandbox keeps connections open like WeChat's servers, and our client reuses them."""

from __future__ import annotations

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from server.extensions import db
from server.wechat.client import MiniProgram, StableTokenClient, settle_environment
from server.wechat.sandbox import create_sandbox_app
from server.wechat.sandbox.serving import make_server
from server.wechat.storage import DatabaseStorage


@pytest.fixture
def kept():
    """The sandbox behind its keep-alive server: (base url, server, sandbox state)."""
    sandbox_app = create_sandbox_app()
    server = make_server("127.0.0.1", 0, sandbox_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", server, sandbox_app.extensions["sandbox"]
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def token_body(state) -> bytes:
    body = {"grant_type": "client_credential", "appid": state.appid, "secret": state.secret}
    return json.dumps(body).encode()


def test_answers_keep_the_connection_open_with_their_length(kept):
    _, server, state = kept
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    try:
        answers = []
        for _ in range(3):
            connection.request("POST", "/cgi-bin/stable_token", body=token_body(state))
            answer = connection.getresponse()
            answers.append((answer.status, answer.getheader("Connection"), answer.read()))
            assert int(answer.getheader("Content-Length")) == len(answers[-1][2])
        connection.request("GET", "/sandbox/messages?touser=nobody")
        listed = connection.getresponse()
        assert json.loads(listed.read()) == {"count": 0, "messages": []}
    finally:
        connection.close()
    assert [(status, close) for status, close, _ in answers] == [(200, None)] * 3
    assert all("access_token" in json.loads(body) for _, _, body in answers)
    assert server.connections == 1


def test_a_client_asking_to_close_gets_its_answer_then_the_close(kept):
    _, server, state = kept
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    try:
        connection.request(
            "POST", "/cgi-bin/stable_token", body=token_body(state), headers={"Connection": "close"}
        )
        answer = connection.getresponse()
        assert answer.status == 200
        assert answer.getheader("Connection") == "close"
        assert "access_token" in json.loads(answer.read())
    finally:
        connection.close()


def test_a_chunked_body_is_read_whole(kept):
    _, server, state = kept
    body = token_body(state)
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    try:
        connection.request(
            "POST", "/cgi-bin/stable_token", body=iter([body[:10], body[10:]]), encode_chunked=True
        )
        answer = connection.getresponse()
        assert json.loads(answer.read())["expires_in"] > 0
        connection.request("GET", "/sandbox/stats")  # the same connection still works
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    assert server.connections == 1


def test_the_client_sends_from_several_threads_over_a_few_kept_connections(committed_db, app, kept):
    url, server, state = kept
    with app.app_context():  # the token is stored for real: committed_db empties it after
        client = StableTokenClient(
            app.config["WECHAT_APPID"],
            app.config["WECHAT_SECRET"],
            api_base=url,
            storage=DatabaseStorage(db.engine),
            timeout=5,
        )
        mini = MiniProgram(client)
        mini.warm_up()

        def send(i: int) -> None:
            mini.send_subscribe_message(
                f"resident-{i % 5}", "TPL1", {"thing1": f"第{i}条"}, None, "formal"
            )

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(send, range(40)))
    assert len(state.messages) == 40
    # The token fetch and 40 sends from 4 threads: a connection per thread at most,
    # not one a request.
    assert server.connections <= 5


def test_the_clients_proxy_and_ca_bundle_come_from_the_environment_once(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/linli/ca.pem")
    session = requests.Session()
    settle_environment(session, "https://api.weixin.qq.com/")
    assert session.proxies["https"] == "http://proxy.example:3128"
    assert session.verify == "/etc/linli/ca.pem"
    monkeypatch.setenv("HTTPS_PROXY", "http://elsewhere.example:3128")  # read once: not again
    settings = session.merge_environment_settings(
        "https://api.weixin.qq.com/", {}, None, None, None
    )
    assert settings["proxies"]["https"] == "http://proxy.example:3128"
    local = requests.Session()
    settle_environment(local, "http://127.0.0.1:5100/")  # NO_PROXY: straight there
    assert "http" not in local.proxies
