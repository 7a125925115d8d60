"""Stripe at the wire: a stand-in for Stripe's API on a local port, and a check of each request against
stripe-python's own typed description of the call (the TypedDicts in `stripe.params`).

The site's code runs unchanged: stripe-python builds and sends real HTTP requests (settings.STRIPE_API_BASE
points at the stand-in), the stand-in records them and answers with real-shaped JSON. So what is checked is
what would reach Stripe, and patching our own functions cannot fool it."""

import json
import re
import threading
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal, NotRequired, Required
from urllib.parse import parse_qsl, urlsplit

import stripe
import stripe._request_options
import stripe.params
import stripe.params.billing_portal
import stripe.params.checkout
from stripe._object_classes import get_object_class
from typing_extensions import is_typeddict

# What each call the site makes is allowed to send, as stripe-python describes it.
PARAMS_OF = {
    ("POST", "/v1/checkout/sessions"): stripe.params.checkout.SessionCreateParams,
    ("POST", "/v1/billing_portal/sessions"): stripe.params.billing_portal.SessionCreateParams,
    ("POST", "/v1/customers"): stripe.params.CustomerCreateParams,
    ("GET", "/v1/invoice_payments"): stripe.params.InvoicePaymentListParams,
    ("GET", "/v1/events"): stripe.params.EventListParams,
}
# Options such as the idempotency key travel as headers, never as parameters.
REQUEST_OPTIONS = set(stripe._request_options.RequestOptions.__annotations__)
# Every params class inherits RequestOptions, whose annotations name types imported only for type checkers.
NAMES_FOR_HINTS = {**vars(stripe._request_options), "StripeContext": stripe.StripeContext}


@dataclass
class StripeRequest:
    method: str
    path: str
    headers: dict[str, str]
    params: dict = field(default_factory=dict)  # nested, decoded from the form body or the query string


def nest(pairs) -> dict:
    """Stripe's form encoding back into a tree: `line_items[0][price_data][currency]=jpy` becomes
    {"line_items": {"0": {"price_data": {"currency": "jpy"}}}} (lists stay keyed by their index)."""
    tree: dict = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        path = [head] + re.findall(r"([^\[\]]*)\]", "[" + rest) if rest else [head]
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return tree


# --- the check against stripe.params -------------------------------------------------------------------------


def problems(params_class, params: dict) -> list[str]:
    """What in these parameters stripe-python's typed class for the call does not allow: unknown keys, enum
    values outside their Literal, missing required keys, values of the wrong kind."""
    return _check_typeddict(params_class, params, "", own_call=True)


def _check_typeddict(cls, value, where, own_call=False) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where.rstrip('.') or 'params'}: expected an object, got {value!r}"]
    hints = typing.get_type_hints(cls, localns=NAMES_FOR_HINTS, include_extras=True)
    if own_call:
        hints = {key: hint for key, hint in hints.items() if key not in REQUEST_OPTIONS}
    found = []
    for key in value:
        if key not in hints:
            found.append(f"{where}{key}: not a parameter of {cls.__module__}.{cls.__qualname__}")
    for key, hint in hints.items():
        required = _required(cls, key, hint)
        if key not in value:
            if required:
                found.append(f"{where}{key}: required by {cls.__qualname__} but missing")
            continue
        found += _check(_unwrap(hint), value[key], f"{where}{key}.")
    return found


def _required(cls, key, hint) -> bool:
    if typing.get_origin(hint) is NotRequired:
        return False
    if typing.get_origin(hint) is Required:
        return True
    return key in getattr(cls, "__required_keys__", ())


def _unwrap(hint):
    while typing.get_origin(hint) in (NotRequired, Required, typing.Annotated):
        hint = typing.get_args(hint)[0]
    return hint


def _check(hint, value, where) -> list[str]:
    where_ = where.rstrip(".")
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _check_union(typing.get_args(hint), value, where)
    if origin is Literal:
        allowed = typing.get_args(hint)
        return (
            []
            if value in [str(a).lower() if isinstance(a, bool) else str(a) for a in allowed]
            else [f"{where_}: {value!r} is not one of {sorted(map(str, allowed))}"]
        )
    if value == "":  # Stripe reads "" as "unset", refused unless the type has Literal[""] (see _check_union)
        return [f"{where_}: empty, which Stripe takes as unsetting it"]
    if origin in (list, typing.List):  # noqa: UP006 (stripe's annotations use typing.List)
        return _check_list(hint, value, where)
    if origin in (dict, typing.Dict) or getattr(origin, "__name__", "") == "UntypedStripeObject":  # noqa: UP006
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return [f"{where_}: expected a map of strings, got {value!r}"]
        return []
    if is_typeddict(hint):
        return _check_typeddict(hint, value, where)
    return _check_scalar(hint, value, where_)


def _check_list(hint, value, where) -> list[str]:
    if not isinstance(value, dict) or sorted(value) != sorted(str(n) for n in range(len(value))):
        return [f"{where.rstrip('.')}: expected a list, got {value!r}"]
    (item,) = typing.get_args(hint)
    return [problem for n in range(len(value)) for problem in _check(item, value[str(n)], f"{where}{n}.")]


def _is_number(value) -> bool:
    try:
        Decimal(value)
    except (InvalidOperation, TypeError):
        return False
    return True


# How a form-encoded scalar of each type looks, and what to say when it does not.
SCALARS = {
    str: (lambda value: isinstance(value, str), "a string"),
    bool: (lambda value: value in ("true", "false"), "true or false"),
    int: (lambda value: isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None, "a whole number"),
    float: (_is_number, "a number"),
    Decimal: (_is_number, "a number"),
}


def _check_scalar(hint, value, where_) -> list[str]:
    if hint not in SCALARS:
        return [f"{where_}: no check for {hint!r}"]
    fits, expected = SCALARS[hint]
    return [] if fits(value) else [f"{where_}: expected {expected}, got {value!r}"]


def _check_union(options, value, where) -> list[str]:
    # Stripe types an enum as `Literal[...] | str` so that a new value does not break old code; a value we
    # send must still be one the library knows. Only `Literal[""] | str` (empty to unset) admits any string.
    enum_values = [a for option in options if typing.get_origin(option) is Literal for a in typing.get_args(option)]
    if any(enum_values) and str in options:
        options = tuple(option for option in options if option is not str)
    attempts = [_check(option, value, where) for option in options]
    if any(not attempt for attempt in attempts):
        return []
    return min(attempts, key=len)


# --- the stand-in ---------------------------------------------------------------------------------------------


def error_body(message: str, kind: str = "api_error") -> dict:
    return {"error": {"type": kind, "message": message}}


def a_list(path: str, data: list) -> dict:
    return {"object": "list", "url": path, "has_more": False, "data": data}


class StripeStandIn:
    """Answers like Stripe at `url`: Checkout and portal sessions, customers, and the invoice payments and events lists
    (empty unless a test fills `invoice_payments` or `events`). `fail(path)` makes a path answer with an
    error Stripe tells the client not to retry."""

    def __init__(self):
        self.requests: list[StripeRequest] = []
        self.events: list[dict] = []
        self.invoice_payments: dict[str, str] = {}  # payment intent → the invoice it paid
        self.failing: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def fail(self, path: str, status: int = 500):
        self.failing[path] = status

    def problems(self, api_version: str, api_key: str) -> list[str]:
        """Everything Stripe would refuse in the requests made so far: unknown calls, parameters outside
        stripe-python's typed classes, another API version or key."""
        found = []
        for request in self.requests:
            call = f"{request.method} {request.path}"
            params_class = PARAMS_OF.get((request.method, request.path))
            if params_class is None:
                found.append(f"{call}: a call the site is not known to make")
                continue
            found += [f"{call}: {problem}" for problem in problems(params_class, request.params)]
            if request.headers.get("Stripe-Version") != api_version:
                found.append(f"{call}: Stripe-Version {request.headers.get('Stripe-Version')}, not {api_version}")
            if request.headers.get("Authorization") != f"Bearer {api_key}":
                found.append(f"{call}: not authorised with the site's secret key")
        return found

    def made(self, method: str, path: str) -> list[StripeRequest]:
        return [request for request in self.requests if (request.method, request.path) == (method, path)]

    def answer(self, request: StripeRequest) -> tuple[int, dict]:
        if request.path in self.failing:
            return self.failing[request.path], error_body("Stripe is having a bad moment")
        n = len(self.requests)
        if (request.method, request.path) == ("POST", "/v1/checkout/sessions"):
            return 200, {
                "id": f"cs_test_{n}",
                "object": "checkout.session",
                "mode": request.params.get("mode"),
                "status": "open",
                "url": f"https://checkout.stripe.com/c/pay/cs_test_{n}",
            }
        if (request.method, request.path) == ("POST", "/v1/customers"):
            return 200, {"id": f"cus_test_{n}", "object": "customer", "email": request.params.get("email")}
        if (request.method, request.path) == ("POST", "/v1/billing_portal/sessions"):
            return 200, {
                "id": f"bps_test_{n}",
                "object": "billing_portal.session",
                "customer": request.params.get("customer"),
                "url": f"https://billing.stripe.com/p/session/test_{n}",
            }
        if (request.method, request.path) == ("GET", "/v1/invoice_payments"):
            intent = request.params.get("payment", {}).get("payment_intent")
            paid = [
                {"id": f"inpay_{intent}", "object": "invoice_payment", "invoice": self.invoice_payments[intent],
                 "payment": {"type": "payment_intent", "payment_intent": intent}, "status": "paid"}
            ] if intent in self.invoice_payments else []  # fmt: skip
            return 200, a_list(request.path, paid)
        if (request.method, request.path) == ("GET", "/v1/events"):
            return 200, a_list(request.path, sorted(self.events, key=lambda event: -event["created"]))
        return 404, error_body(f"Unrecognized request URL ({request.method}: {request.path})", "invalid_request_error")

    def _handler(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                pairs = parse_qsl(body if self.command == "POST" else url.query, keep_blank_values=True)
                request = StripeRequest(self.command, url.path, dict(self.headers.items()), nest(pairs))
                status, answer = stand_in.answer(request)
                stand_in.requests.append(request)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Request-Id", f"req_test_{len(stand_in.requests)}")
                if status >= 500:
                    self.send_header("Stripe-Should-Retry", "false")
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, *args):  # quiet
                pass

        return Handler


# --- the shape of what Stripe sends ----------------------------------------------------------------------------


def unknown_fields(obj: dict, cls=None, where: str = "") -> list[str]:
    """The fields of a Stripe object (as in an event) that stripe-python's class for it does not have: the
    object is not shaped like the library's API version."""
    if cls is None:
        cls = get_object_class("V1", obj.get("object", ""))
    fields = {name for klass in cls.__mro__ for name in getattr(klass, "__annotations__", {})}
    inner = getattr(cls, "_inner_class_types", {})
    found = []
    for name, value in obj.items():
        if name not in fields and name != "object":  # every object names its kind
            found.append(f"{where}{name}: not a field of {cls.__module__}.{cls.__qualname__}")
        elif isinstance(value, dict) and name in inner:
            found += unknown_fields(value, inner[name], f"{where}{name}.")
        elif isinstance(value, dict) and value.get("object"):  # an expanded object, e.g. a list of items
            found += unknown_fields(value, None, f"{where}{name}.")
        elif isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, dict) and item.get("object"):
                    found += unknown_fields(item, None, f"{where}{name}.{n}.")
    return found
