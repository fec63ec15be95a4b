"""The actor gazetteer: the data file loads, its references hold, and lookups resolve."""

import json
from datetime import date
from pathlib import Path

import pytest

from bilat.loaders.gazetteer import DATA, LANGS, fold, load_gazetteer

DEV = Path(__file__).resolve().parents[1].parent / "shared/corpus/dev"
GOLD_FILES = sorted(DEV.glob("*.gold.json")) if DEV.is_dir() else []
# where the gazetteer's key differs from a gold file's key for the same actor
KEY_DIFFERENCES = {"aziz-ajanuch": "aziz-akhannouch"}


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def gold_actors(types):
    """(language, gold actor) for every dev gold actor of the given types."""
    params = []
    for path in GOLD_FILES:
        gold = json.loads(path.read_text(encoding="utf-8"))
        for actor in gold["actors"]:
            if actor["type"] in types:
                params.append(
                    pytest.param(gold["language"], actor, id=f"{path.stem}:{actor['key']}")
                )
    return params


# --- the file ------------------------------------------------------------------------


def test_loads_once(gazetteer):
    assert load_gazetteer() is gazetteer
    assert load_gazetteer(DATA) is gazetteer


def test_covers_the_dev_countries_and_partners(gazetteer):
    codes = {a.code for a in gazetteer.actors("Country")}
    dev = {"USA", "MEX", "GBR", "FRA", "JPN", "KOR", "COL", "VEN", "CAN", "ESP", "MAR"}
    partners = {"CHN", "RUS", "UKR", "DEU", "BRA", "ARG", "CUB", "IND", "ISR", "TUR", "VAT"}
    assert dev | partners <= codes
    assert len(codes) >= 40


def test_every_country_has_a_government(gazetteer):
    for country in gazetteer.actors("Country"):
        government = gazetteer.actor(f"gov-{country.key}")
        assert government.type == "Government" and government.country == country.key


def test_cross_references_hold(gazetteer):
    countries = {a.key for a in gazetteer.actors("Country")}
    people = {a.key for a in gazetteer.actors("Person")}
    for actor in gazetteer.actors():
        assert actor.type in ("Person", "Country", "Government", "Organization")
        assert set(actor.names) == set(LANGS), actor.key
        assert actor.country is None or actor.country in countries, actor.key
        assert actor.iri == f"https://w3id.org/bilat/id/actor/{actor.key}"
    for office in gazetteer.offices():
        assert office.country is None or office.country in countries, office.key
        assert office.country or office.organization, office.key
        assert set(office.titles) == set(LANGS), office.key
        for tenure in office.holders:
            assert tenure.person in people, office.key
            assert tenure.end is None or tenure.start <= tenure.end, office.key


def test_a_surface_form_names_one_actor_per_language(gazetteer):
    for lang in LANGS:
        owners = {}
        for form, key in gazetteer.surface_forms(lang):
            assert owners.setdefault(fold(form), key) == key, (lang, form)


def test_surface_forms_leave_demonyms_out(gazetteer):
    forms = {form for form, _ in gazetteer.surface_forms("es")}
    assert "Estados Unidos" in forms and "EE.UU." in forms
    assert "mexicanos" not in forms
    assert gazetteer.demonyms("es")["mexicanas"] == "mex"
    assert gazetteer.demonyms("en")["british"] == "gbr"


# --- the dev corpus: what a reader expects -----------------------------------------------


@pytest.mark.skipif(not GOLD_FILES, reason="no dev corpus beside the repository")
@pytest.mark.parametrize("lang, gold", gold_actors({"Country", "Person"}))
def test_finds_every_gold_country_and_person(gazetteer, lang, gold):
    found = gazetteer.find(gold["name"], lang)
    assert found is not None, gold["name"]
    assert found.key == KEY_DIFFERENCES.get(gold["key"], gold["key"])
    assert found.type == gold["type"]
    if gold["type"] == "Person" and gold.get("country"):
        assert gazetteer.actor(found.country).code == gold["country"]


@pytest.mark.skipif(not GOLD_FILES, reason="no dev corpus beside the repository")
@pytest.mark.parametrize("lang, gold", gold_actors({"Government", "Organization"}))
def test_finds_every_gold_government_and_organization(gazetteer, lang, gold):
    found = gazetteer.find(gold["name"], lang)
    assert found is not None and found.key == gold["key"], gold["name"]


# gold aliases that name no office on their own, or name one at another time
UNRESOLVED_TITLES = {"canciller designado", "ministro venezolano"}


def gold_people_with_context():
    """(language, publication day, the communiqué's countries, gold person)."""
    params = []
    for path in GOLD_FILES:
        gold = json.loads(path.read_text(encoding="utf-8"))
        countries = {a["key"] for a in gold["actors"] if a["type"] == "Country"}
        day = date.fromisoformat(gold["published"])
        for actor in gold["actors"]:
            if actor["type"] == "Person":
                params.append(
                    pytest.param(
                        gold["language"], day, countries, actor, id=f"{path.stem}:{actor['key']}"
                    )
                )
    return params


@pytest.mark.skipif(not GOLD_FILES, reason="no dev corpus beside the repository")
@pytest.mark.parametrize("lang, day, countries, gold", gold_people_with_context())
def test_gold_people_aliases_resolve_to_them(gazetteer, lang, day, countries, gold):
    """Each alias the gold lists is the person's name, or a title they held on the day."""
    key = KEY_DIFFERENCES.get(gold["key"], gold["key"])
    for alias in gold["aliases"]:
        found = gazetteer.find(alias, lang)
        if found is not None:
            assert found.key == key, alias
        elif alias not in UNRESOLVED_TITLES:
            holders = [
                office.holder_on(day)
                for office in gazetteer.offices_titled(alias, lang)
                if office.country in countries and office.holder_on(day)
            ]
            assert holders[:1] == [key], alias


# --- titles by date --------------------------------------------------------------------------


def holder(gazetteer, title, lang, day, countries):
    for office in gazetteer.offices_titled(title, lang):
        if office.country in countries:
            return office.holder_on(date.fromisoformat(day))
    return None


@pytest.mark.parametrize(
    "title, lang, day, countries, expected",
    [
        ("Secretary of State", "en", "2026-01-16", {"usa", "mex"}, "marco-rubio"),
        ("secretario de Estado", "es", "2023-05-01", {"usa", "mex"}, "antony-blinken"),
        ("el secretario de Estado", "es", "2019-05-01", {"usa", "mex"}, "mike-pompeo"),
        ("el presidente", "es", "2023-05-01", {"mex"}, "andres-manuel-lopez-obrador"),
        ("la presidenta", "es", "2025-09-03", {"usa", "mex"}, "claudia-sheinbaum"),
        ("la mandataria", "es", "2025-09-03", {"usa", "mex"}, "claudia-sheinbaum"),
        ("el canciller", "es", "2026-01-16", {"usa", "mex"}, "juan-ramon-de-la-fuente"),
        ("el canciller", "es", "2022-01-10", {"mex", "usa"}, "marcelo-ebrard"),
        ("the Secretary", "en", "2025-02-06", {"usa", "mex"}, "marco-rubio"),
        (
            "Mexican Foreign Secretary",
            "en",
            "2025-02-06",
            {"usa", "mex"},
            "juan-ramon-de-la-fuente",
        ),
        ("The French president", "en", "2025-07-11", {"gbr", "fra"}, "emmanuel-macron"),
        ("the Prime Minister", "en", "2023-05-01", {"gbr", "fra"}, "rishi-sunak"),
        ("the Foreign Secretary", "en", "2025-10-01", {"gbr", "fra"}, "yvette-cooper"),
        ("Japanese Prime Minister", "en", "2025-08-24", {"jpn", "kor"}, "shigeru-ishiba"),
        ("South Korean President", "en", "2025-08-24", {"jpn", "kor"}, "lee-jae-myung"),
        ("primer ministro de Canadá", "es", "2025-09-19", {"mex", "can"}, "mark-carney"),
        (
            "ministra canadiense de Asuntos Exteriores",
            "es",
            "2025-09-19",
            {"mex", "can"},
            "anita-anand",
        ),
        ("ministro de Finanzas", "es", "2025-09-19", {"mex", "can"}, "francois-philippe-champagne"),
        ("el presidente del Gobierno", "es", "2025-12-05", {"esp", "mar"}, "pedro-sanchez"),
        ("jefe del Gobierno de Marruecos", "es", "2025-12-05", {"esp", "mar"}, "aziz-akhannouch"),
        ("jefe del Ejecutivo español", "es", "2025-12-05", {"esp", "mar"}, "pedro-sanchez"),
        ("titular de Exteriores", "es", "2025-12-05", {"esp", "mar"}, "jose-manuel-albares"),
        ("vicepresidenta segunda", "es", "2025-12-05", {"esp", "mar"}, "yolanda-diaz"),
        (
            "ministro venezolano de Relaciones Exteriores",
            "es",
            "2022-07-29",
            {"col", "ven"},
            "carlos-faria",
        ),
        ("el presidente", "es", "2026-02-01", {"ven"}, "delcy-rodriguez"),
    ],
)
def test_titles_resolve_by_date(gazetteer, title, lang, day, countries, expected):
    assert holder(gazetteer, title, lang, day, countries) == expected


def test_titles_naming_another_time_resolve_to_nobody(gazetteer):
    for title, lang in [
        ("canciller designado", "es"),
        ("the former President", "en"),
        ("el expresidente", "es"),
        ("el presidente electo", "es"),
    ]:
        assert gazetteer.offices_titled(title, lang) == [], title


def test_a_country_in_the_title_keeps_only_its_offices(gazetteer):
    offices = gazetteer.offices_titled("el primer ministro de Japón", "es")
    assert [o.key for o in offices] == ["jpn-prime-minister"]


def test_hand_over_day_goes_to_the_newcomer(gazetteer):
    president = gazetteer.office("us-president")
    assert president.holder_on(date(2021, 1, 20)) == "joe-biden"
    assert president.holder_on(date(2021, 1, 19)) == "donald-trump"
    assert president.holder_on(date(2016, 1, 1)) is None


def test_roles_of_a_person_change_over_time(gazetteer):
    assert [o.key for o in gazetteer.roles_of("marcelo-ebrard", date(2020, 1, 1))] == [
        "mex-foreign-secretary"
    ]
    assert [o.key for o in gazetteer.roles_of("marcelo-ebrard", date(2025, 1, 1))] == [
        "mex-economy-secretary"
    ]
    assert gazetteer.roles_of("marcelo-ebrard", date(2024, 1, 1)) == []


# --- find ------------------------------------------------------------------------------------


def test_eu_depends_on_the_language(gazetteer):
    assert gazetteer.find("EU", "es").key == "usa"
    assert gazetteer.find("EU", "en").key == "eu"
    assert gazetteer.find("UE", "es").key == "eu"
    assert gazetteer.find("EU") is None  # ambiguous without a language
    assert dict(gazetteer.surface_forms("es"))["EU"] == "usa"
    assert dict(gazetteer.surface_forms("en"))["EU"] == "eu"


@pytest.mark.parametrize(
    "name, key",
    [
        ("EE.UU.", "usa"),
        ("EEUU", "usa"),
        ("the United States of America", "usa"),
        ("Gran Bretaña", "gbr"),
        ("la República de Corea", "kor"),
        ("Juan Ramon de la Fuente", "juan-ramon-de-la-fuente"),  # accents do not matter
        ("Secretary Rubio", "marco-rubio"),
        ("canciller De la Fuente", "juan-ramon-de-la-fuente"),
        ("U.S. President Donald Trump", "donald-trump"),
        ("Donald J. Trump", "donald-trump"),
        ("Keir Rodney Starmer", "keir-starmer"),  # fuzzy: token_set_ratio
        ("Fuente", "juan-ramon-de-la-fuente"),  # fuzzy: a lone surname
        ("Casa Blanca", "gov-usa"),
        ("SRE", "sre"),
    ],
)
def test_find(gazetteer, name, key):
    assert gazetteer.find(name, "es" if any(c in name for c in "áéíóñ") else None).key == key


@pytest.mark.parametrize("name", ["Juan", "Mark", "Pedro Castillo", "Xa", "", "Asimismo"])
def test_find_refuses_first_names_strangers_and_short_strings(gazetteer, name):
    assert gazetteer.find(name) is None


def test_generic_organization_names_resolve_by_country(gazetteer):
    found = [a.key for a in gazetteer.organizations_called("la Cancillería", "es")]
    assert "sre" in found and "col-mfa" in found
    assert [a.key for a in gazetteer.organizations_called("la Cancillería colombiana", "es")] == [
        "col-mfa"
    ]


# --- a broken file ---------------------------------------------------------------------------

BASE = """
countries:
  - {key: mex, code: MEX, name: {en: Mexico, es: México}}
people:
  - {key: claudia-sheinbaum, name: Claudia Sheinbaum, country: MEX}
"""


@pytest.mark.parametrize(
    "extra, named",
    [
        (
            "offices:\n  - {key: mex-president, country: MEX, title: President,"
            " holders: [{person: nobody-at-all, from: 2024-10-01}]}\n",
            ["mex-president", "nobody-at-all"],
        ),
        (
            "organizations:\n  - {key: sre, country: XYZ, name: SRE}\n",
            ["sre", "XYZ"],
        ),
        (
            "offices:\n  - {key: mex-president, country: MEX, kind: nope, title: President}\n",
            ["mex-president", "nope"],
        ),
        (
            "organizations:\n  - {key: sre, country: MEX, name: SRE, alias: [x]}\n",
            ["sre", "alias"],
        ),
        (
            "organizations:\n  - {key: sre, name: México}\n",
            ["sre", "México", "mex"],
        ),
        (
            "offices:\n  - {key: mex-president, country: MEX, title: President,"
            " holders: [{person: claudia-sheinbaum, from: 2024-10-01, until: 2020-01-01}]}\n",
            ["mex-president", "claudia-sheinbaum"],
        ),
    ],
)
def test_a_broken_file_names_the_faulty_entry(tmp_path, extra, named):
    path = tmp_path / "gazetteer.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    with pytest.raises(ValueError) as error:
        load_gazetteer(path)
    for word in named:
        assert word in str(error.value)


def test_a_file_that_is_not_yaml_is_a_value_error(tmp_path):
    path = tmp_path / "gazetteer.yaml"
    path.write_text("countries: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_gazetteer(path)


def test_a_small_valid_file_loads(tmp_path):
    path = tmp_path / "gazetteer.yaml"
    path.write_text(BASE, encoding="utf-8")
    small = load_gazetteer(path)
    assert small.find("Sheinbaum").key == "claudia-sheinbaum"
    assert small.actor("gov-mex").names == {
        "en": "Government of Mexico",
        "es": "Gobierno de México",
    }
