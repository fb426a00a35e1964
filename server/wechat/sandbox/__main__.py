"""`python -m server.wechat.sandbox [--host H] [--port P]`: serve the WeChat sandbox."""

import argparse
import logging

from server.logs import RedactSecrets
from server.wechat.sandbox import create_sandbox_app
from server.wechat.sandbox.serving import make_server


def main() -> None:
    parser = argparse.ArgumentParser(description="Linli's local stand-in for WeChat's servers")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="sandbox: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets())
    server = make_server(args.host, args.port, create_sandbox_app())
    where = f"http://{args.host}:{args.port}/"
    print(f"WeChat sandbox on {where} (messages: /sandbox/messages)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
