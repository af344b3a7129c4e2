"""Organisations are data: the shipped structures, and a new organisation type added as files."""

import shutil
from pathlib import Path

import httpx
import pytest

from gateway import tokens
from gateway.app import create_app
from gateway.settings import load_settings
from policies import loader, organisations
from providers.embedded import reference


def test_the_shipped_file_is_the_2014_to_2021_structure():
    orgs = organisations.shipped()
    assert orgs.types == ("CRC", "NPS", "PRISON", "HQ")
    by_type = {kind: sorted(c for c, o in orgs.by_code.items() if o.type == kind)
               for kind in orgs.types}
    assert by_type["CRC"] == [f"C{n:02}" for n in range(1, 22)]
    assert by_type["NPS"] == [f"N{n:02}" for n in range(1, 8)]
    assert set(by_type["PRISON"]) == set(reference.PRISONS) and by_type["HQ"] == ["HQ"]
    assert orgs.by_code["C16"].name == reference.CRCS["C16"]


def test_the_unified_file_moves_every_former_area_to_exactly_one_region():
    before, after = organisations.shipped(), organisations.load(organisations.UNIFIED_FILE)
    probation = {c for c, o in before.by_code.items() if o.type in ("CRC", "NPS")}
    moved = {old for old in probation if old not in after}
    assert moved == set(after.successors)  # N03 (Wales) and N07 (London) keep their codes
    assert all(after.type_of(region) == "NPS" for region in after.successors.values())
    assert sorted(c for c in after.by_code if c.startswith("N5")) == [
        f"N{n}" for n in range(50, 60)]
    assert not any(after.type_of(c) == "CRC" for c in after.by_code)


@pytest.fixture
def region_policies(tmp_path: Path) -> Path:
    """The shipped policies, with an organisations file that adds a REGION type."""
    target = tmp_path / "policies"
    shutil.copytree(loader.SHIPPED, target)
    text = (target / "organisations.toml").read_text()
    text = text.replace("[organisations]\n", "[organisations]\n"
                        'N50 = { type = "REGION", name = "Greater Manchester" }\n')
    (target / "organisations.toml").write_text(
        text.replace("[types]\n", '[types]\nREGION = "Probation Service region"\n'))
    return target


def test_the_loader_needs_a_policy_file_for_every_configured_type(region_policies):
    with pytest.raises(loader.PolicyError) as refused:
        loader.load(region_policies)
    assert [p for p in refused.value.problems if "region.toml" in p] == [
        f"{region_policies / 'region.toml'}: missing (every organisation type needs a "
        "policy file)"]


async def test_a_new_organisation_type_is_only_files(region_policies, tmp_path):
    shutil.copy(region_policies / "nps.toml", region_policies / "region.toml")
    config = tmp_path / "c.toml"
    config.write_text(f'[auth]\ndemo = true\n[policies]\ndir = "{region_policies}"\n'
                      '[providers.e]\ntype = "embedded"\n')
    app = create_app(load_settings(config))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://casegraph.test") as client:
        response = await client.post(
            "/graphql", json={"query": "{ viewer { organisation organisationType } }"},
            headers={"Authorization": f"Bearer {tokens.mint('N50')}"})
    assert response.json()["data"]["viewer"] == {"organisation": "N50",
                                                 "organisationType": "REGION"}
