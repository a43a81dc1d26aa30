"""IpAddress and NotIpAddress.

"The value must be in the standard CIDR format (for example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64). If
you specify an IP address without the associated routing prefix, IAM uses the default prefix value of `/32`."
A bare IPv6 address is a /128. Host bits after the prefix are ignored (`203.0.113.7/24` is `203.0.113.0/24`).
"You can not use a policy variable with the `IpAddress` condition operator."

Request values are single addresses parsed by a cached parser; one that is not an address matches nothing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from policysim.context import RequestContext

from .values import BuildInput, Matcher, ValueTest

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddr = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_network(text: str) -> IpNetwork | None:
    """A CIDR range (a bare address is a single-host range), or None."""
    if not text or text != text.strip():
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def request_address(text: str) -> IpAddr | None:
    """An IPv4 or IPv6 address, or None."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def build_ip(spec: BuildInput) -> Matcher:
    """Compile IpAddress values."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for text in spec.texts:
        network = parse_network(text)
        if network is None:
            raise spec.invalid(text, "IP address or CIDR range")
        if isinstance(network, ipaddress.IPv4Network):
            v4.append(network)
        else:
            v6.append(network)
    return Matcher(_range_test(tuple(v4), tuple(v6)))


def _range_test(v4: tuple[ipaddress.IPv4Network, ...], v6: tuple[ipaddress.IPv6Network, ...]) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        address = request_address(value)
        if address is None:
            return False
        if isinstance(address, ipaddress.IPv4Address):
            return any(address in network for network in v4)
        return any(address in network for network in v6)

    return test
