"""An example policy test for Gateway API manifests: copy it next to your
manifests, point MANIFESTS at the folder your deployment applies, and write one
test per promise your routing makes. Run it with ``pytest``.

It checks the quickstart manifests of the Gatewise repository (examples/).
"""

from pathlib import Path

import gatewise
from gatewise.testing import (
    assert_all_accepted,
    assert_no_rejections,
    assert_redirects,
    assert_refused,
    assert_responds,
    assert_route_accepted,
    assert_routes_to,
)

# The manifests under test (files or folders; *.yaml, *.yml, *.json).
MANIFESTS = Path(__file__).resolve().parents[2] / "examples"

# Load once per test session. Pass controller_name= if your GatewayClass names
# another controller than gatewise.dev/gateway-controller.
router = gatewise.load(MANIFESTS)

GATEWAY = "infra/gateway"
SHOP = "shop.example.com"


def test_the_api_server_would_accept_every_manifest() -> None:
    assert_no_rejections(router)


def test_every_gateway_listener_and_route_is_accepted() -> None:
    assert_all_accepted(router)


def test_the_store_route_is_attached_to_the_shared_gateway() -> None:
    assert_route_accepted(router, "shop/store", gateway=GATEWAY)


def test_api_calls_go_to_the_api_service_with_the_gateway_header() -> None:
    decision = assert_routes_to(router, "shop/api:8080", gateway=GATEWAY, host=SHOP, path="/api/v2/cart")
    assert decision.request is not None
    assert decision.request.header("x-gateway") == "gatewise"


def test_the_canary_header_selects_the_canary() -> None:
    assert_routes_to(
        router, "shop/api-canary:8080", gateway=GATEWAY, host=SHOP, path="/api/v2/cart", headers={"x-canary": "true"}
    )


def test_the_storefront_sends_one_request_in_ten_to_v2() -> None:
    split = {"shop/store-v1:8080": 90, "shop/store-v2:8080": 10}
    assert_routes_to(router, split, gateway=GATEWAY, host=SHOP, path="/")


def test_the_old_cart_url_redirects_permanently() -> None:
    assert_redirects(router, "http://shop.example.com/cart", status=301, gateway=GATEWAY, host=SHOP, path="/old-cart")


def test_unknown_shop_paths_never_fall_through_to_another_team() -> None:
    decision = router.route(gateway=GATEWAY, host=SHOP, path="/admin")
    assert decision.route is not None and decision.route.namespace == "shop"


def test_hosts_nobody_serves_get_404() -> None:
    assert_responds(router, 404, gateway=GATEWAY, host="unknown.example.com")


def test_nothing_listens_on_8080() -> None:
    assert_refused(router, gateway=GATEWAY, port=8080)
