"""The Kubernetes manifests: valid against the Kubernetes schemas (offline, strict), and
consistent with the gateway they run (probes, configuration, secrets, labels)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from gateway.cli import main as casegraph

DEPLOY = Path(__file__).parents[2] / "deploy" / "kubernetes"
KUBERNETES = "1.33.0"  # the oldest release still supported upstream when this was written


def documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return found


def of_kind(kind: str, name: str | None = None) -> dict[str, Any]:
    [found] = [d for d in documents() if d["kind"] == kind
               and (name is None or d["metadata"]["name"] == name)]
    return found


@pytest.mark.parametrize("document", documents(),
                         ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_each_resource_is_valid_for_kubernetes(document):
    kubernetes_validate.validate(document, KUBERNETES, strict=True)


def test_the_kustomization_lists_every_manifest():
    listed = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in DEPLOY.glob("*.yaml")
                                    if p.name != "kustomization.yaml")


def _gateway() -> dict[str, Any]:
    deployment = of_kind("Deployment", "casegraph")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return container


def test_probes_are_readiness_on_readyz_and_liveness_on_healthz():
    container = _gateway()
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"]["cpu"] and \
        container["resources"]["requests"]["memory"]


def test_the_autoscaler_the_budget_and_the_service_find_the_gateways_pods():
    pods = of_kind("Deployment", "casegraph")["spec"]["template"]["metadata"]["labels"]
    hpa = of_kind("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "casegraph"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    budget = of_kind("PodDisruptionBudget")["spec"]["selector"]["matchLabels"]
    service = of_kind("Service", "casegraph")["spec"]["selector"]
    assert budget.items() <= pods.items() and service.items() <= pods.items()


def test_draining_fits_in_the_termination_grace_period():
    spec = of_kind("Deployment", "casegraph")["spec"]["template"]["spec"]
    assert spec["terminationGracePeriodSeconds"] > 20  # `serve --grace-seconds` default


def _environment() -> dict[str, str]:
    """What the gateway container's environment holds: its own entries, the Secret's keys
    and the ConfigMap keys it names."""
    container = _gateway()
    secret = of_kind("Secret")["stringData"]
    found = {e["name"]: e.get("value", "from-config-map") for e in container["env"]}
    return found | dict.fromkeys(secret, "x" * 32)


def test_every_variable_the_configuration_reads_is_provided():
    config = of_kind("ConfigMap")["data"]["casegraph.toml"]
    wanted = set(re.findall(r"\$\{(\w+)\}", config))
    wanted |= set(re.findall(r'_env = "(\w+)"', config))
    wanted.add("CASEGRAPH_RESPONSE_CACHE_KEY")  # answers are shared through Redis
    assert wanted <= set(_environment()), wanted - set(_environment())


def test_the_configuration_passes_the_gateways_own_check(tmp_path, monkeypatch):
    path = tmp_path / "casegraph.toml"
    path.write_text(of_kind("ConfigMap")["data"]["casegraph.toml"])
    for name, value in _environment().items():
        monkeypatch.setenv(name, "https://backend.example" if name.endswith("_BASE_URL")
                           else "postgresql://u@db:5432/x" if name.endswith("_URL")
                           else value)
    assert casegraph(["check", "--config", str(path)]) == 0
