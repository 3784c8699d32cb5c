"""A loopback fake of the two Stripe API endpoints our checkout calls, speaking Stripe's wire format.

``GET /v1/prices?lookup_keys[0]=pro&active=true&limit=1`` and ``POST /v1/checkout/sessions`` with a
form-encoded body (``line_items[0][price]=…``, ``metadata[user_id]=…``), bearer-authenticated with the secret
key; answers are Stripe's JSON objects, and errors Stripe's ``{"error": {"type", "message", "param"}}``.
Every request is kept (method, path, flat bracket-keyed params) for the tests to assert on.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_KEY = "sk_test_fake_key"
PRICES = {"pro": "price_pro_monthly", "enterprise": "price_enterprise_monthly"}


class FakeStripe:
    """The fake server: ``base`` is its URL (STRIPE_API_BASE), ``requests`` what it received."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:14]}")
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, kind: str, message: str, param: str | None = None) -> None:
                self._answer(status, {"error": {"type": kind, "message": message, "param": param}})

            def _handle(self, method: str) -> None:
                url = urlsplit(self.path)
                params = dict(parse_qsl(url.query, keep_blank_values=True))
                if method == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    form = self.rfile.read(length).decode()
                    if (
                        self.headers.get("Content-Type", "").split(";")[0]
                        != "application/x-www-form-urlencoded"
                    ):
                        self._error(400, "invalid_request_error", "body must be form-encoded")
                        return
                    params.update(parse_qsl(form, keep_blank_values=True))
                fake.requests.append((method, url.path, params))
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    self._error(401, "invalid_request_error", "Invalid API Key provided")
                    return
                if method == "GET" and url.path == "/v1/prices":
                    keys = [v for k, v in params.items() if k.startswith("lookup_keys[")]
                    data = [
                        {
                            "id": PRICES[k],
                            "object": "price",
                            "active": True,
                            "lookup_key": k,
                            "currency": "usd",
                        }
                        for k in keys
                        if k in PRICES
                    ]
                    self._answer(
                        200, {"object": "list", "data": data, "has_more": False, "url": "/v1/prices"}
                    )
                elif method == "POST" and url.path == "/v1/checkout/sessions":
                    self._create_session(params)
                else:
                    self._error(
                        404, "invalid_request_error", f"Unrecognized request URL ({method}: {url.path})"
                    )

            def _create_session(self, params: dict[str, str]) -> None:
                for required in ("mode", "success_url", "line_items[0][price]"):
                    if not params.get(required):
                        self._error(
                            400, "invalid_request_error", f"Missing required param: {required}.", required
                        )
                        return
                if params["line_items[0][price]"] not in PRICES.values():
                    self._error(400, "invalid_request_error", "No such price", "line_items[0][price]")
                    return
                sid = f"cs_test_{uuid.uuid4().hex}"
                session = {
                    "id": sid,
                    "object": "checkout.session",
                    "mode": params["mode"],
                    "status": "open",
                    "url": f"https://checkout.stripe.com/c/pay/{sid}",
                    "client_reference_id": params.get("client_reference_id"),
                    "customer": params.get("customer"),
                    "customer_email": params.get("customer_email"),
                    "metadata": {
                        k[len("metadata[") : -1]: v for k, v in params.items() if k.startswith("metadata[")
                    },
                    "success_url": params["success_url"],
                    "cancel_url": params.get("cancel_url"),
                    "livemode": False,
                }
                fake.sessions[sid] = session
                self._answer(200, session)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeStripe:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
