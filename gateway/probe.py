"""The container's health check: healthy only while the gateway says it is ready.

    python -m gateway.probe [URL]     exit 0 when URL (default: this container's /readyz)
                                      answers {"status": "ready"}, 1 otherwise

/readyz is "degraded" while a provider's circuit is open or the audit sink fails, so the
container shows unhealthy then, though the process is up. Standard library only: it runs
every few seconds beside the gateway.
"""

from __future__ import annotations

import json
import sys
import urllib.request

READY_URL = "http://127.0.0.1:8000/readyz"


def probe(url: str = READY_URL, timeout: float = 2.0) -> int:
    """0 when the gateway answers that it is ready; 1 for degraded, any other answer, or
    none within `timeout`."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with direct.open(url, timeout=timeout) as response:
            body = json.load(response)
    except (OSError, ValueError):
        return 1
    return 0 if isinstance(body, dict) and body.get("status") == "ready" else 1


if __name__ == "__main__":
    sys.exit(probe(sys.argv[1] if len(sys.argv) > 1 else READY_URL))
