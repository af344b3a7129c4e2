"""Configuration binds kinds to providers; third parties plug in through an entry point."""

import sys
import textwrap

import pytest

from providers import registry
from providers.base import ALL_KINDS
from providers.errors import BackendUnavailable
from providers.registry import ConfigError, build_registry

EVERYTHING = dict.fromkeys(ALL_KINDS, "main")


def test_unknown_provider_type_names_the_key_and_the_choices():
    with pytest.raises(ConfigError, match=r"providers\.main\.type = 'nosuch'.*embedded"):
        build_registry({"main": {"type": "nosuch"}}, EVERYTHING)


async def test_an_unbound_kind_is_served_by_nothing_rather_than_stopping_start_up():
    bindings = {k: v for k, v in EVERYTHING.items() if k != "custody"}
    built = build_registry({"main": {"type": "embedded"}}, bindings)
    with pytest.raises(BackendUnavailable, match="no provider is bound to custody"):
        await built.fetch("custody", ["A0004AA"])


def test_binding_to_a_missing_provider_is_named():
    with pytest.raises(ConfigError, match=r"bindings\.custody = 'nomis': no such provider"):
        build_registry({"main": {"type": "embedded"}}, EVERYTHING | {"custody": "nomis"})


def test_a_third_party_provider_plugs_in_through_the_entry_point_group(tmp_path, monkeypatch):
    package = tmp_path / "tinyprovider"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        from providers.base import Page
        from providers.records import Establishment

        class Tiny:
            kinds = frozenset({"establishment"})

            def __init__(self, name):
                self.name = name

            async def fetch(self, kind, keys):
                return [Establishment(k, "Tiny " + k, "INST") for k in keys]

            async def page(self, kind, criteria, offset, limit):
                return Page((), 0)

            async def aclose(self):
                pass
    '''))
    dist = tmp_path / "tinyprovider-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tinyprovider\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[casegraph.providers]\ntiny = tinyprovider:Tiny\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "tiny" in registry.factories()
    built = build_registry({"main": {"type": "embedded"}, "t": {"type": "tiny"}},
                           EVERYTHING | {"establishment": "t"})
    assert built.provider_for("establishment").name == "t"
    sys.modules.pop("tinyprovider", None)
