"""The loaders on short communiqués written for one phenomenon each, checked by SPARQL."""

import pytest

from bilat.graph import Store
from bilat.loaders import extract
from bilat.loaders.reader import parse_communique


def load(text: str, name: str = "case.txt") -> Store:
    store = Store()
    store.load_vocabulary()
    loaded = extract(parse_communique(text.encode(), name))
    store.replace_graph(loaded.graph, loaded.quads)
    return store


CASES = [
    # statements: a reporting verb, its subject and its complement
    ("es-subject-ccomp",
     "date 2026-01-16\nLa presidenta Claudia Sheinbaum afirmó que la relación con Estados Unidos "
     "se basa en el respeto mutuo.",
     """?a rdfs:label "Claudia Sheinbaum" ; bilat:said ?c . ?c bilat:text ?t ; bilat:isQuote false .
        FILTER(STRSTARTS(?t, "que la relación"))"""),
    # impersonal "se": said by the communiqué's authors, the governments of its countries
    ("es-impersonal-se",
     "date 2026-01-16\nLos gobiernos de México y Colombia publicaron un comunicado. "
     "Asimismo, se reafirmó la importancia de la cooperación entre ambos países.",
     """?gov a bilat:Government ; bilat:country/bilat:countryCode "COL" ; bilat:said ?c .
        ?c bilat:text ?t . FILTER(CONTAINS(?t, "importancia de la cooperación"))"""),
    # a quotation is a quote
    ("en-quote",
     "date 2025-07-11\nPrime Minister Keir Starmer and President Emmanuel Macron met in London. "
     'Starmer said the plan was "a groundbreaking step".',
     """?s rdfs:label "Keir Starmer" ; bilat:said ?c . ?c bilat:text ?t .
        FILTER(CONTAINS(?t, "groundbreaking"))"""),
    # passive voice: the agent said it
    ("es-passive",
     "date 2026-01-16\nLos gobiernos de México y Canadá publicaron una declaración. La "
     "importancia de la cooperación en seguridad fue subrayada por ambos gobiernos.",
     """?gov a bilat:Government ; bilat:country/bilat:countryCode "CAN" ; bilat:said ?c .
        ?c bilat:text ?t . FILTER(CONTAINS(?t, "importancia de la cooperación"))"""),
    ("en-passive",
     "date 2025-07-11\nPrime Minister Keir Starmer met President Emmanuel Macron in London. "
     "It was stressed by both leaders that cooperation on migration must continue.",
     """?s rdfs:label "Emmanuel Macron" ; bilat:said ?c . ?c bilat:text ?t .
        FILTER(CONTAINS(?t, "cooperation on migration must continue"))"""),
    # two speakers for one claim, from a plural subject
    ("en-two-speakers",
     "date 2025-02-06\nSecretary of State Marco Rubio spoke today with Mexican Foreign Secretary "
     "Juan Ramón de la Fuente. The two officials stressed that cooperation on security must "
     "continue.",
     """?r rdfs:label "Marco Rubio" ; bilat:said ?c . ?f rdfs:label "Juan Ramón de la Fuente" ;
        bilat:said ?c . ?c bilat:text ?t . FILTER(CONTAINS(?t, "cooperation on security"))"""),
    # a title resolves to whoever held the office on the communiqué's date
    ("es-title-by-date",
     "date 2023-05-02\nEl presidente de Estados Unidos recibió a su homólogo de México. "
     "El secretario de Estado afirmó que ambos países deben cooperar en migración.",
     """?p rdfs:label "Antony Blinken" ; bilat:said ?c ."""),
    # events: a call with its date, resolved against the publication date, and participants
    ("es-call-date-participants",
     "date 2026-01-16\nTras la llamada del 12 de enero entre Claudia Sheinbaum y Donald Trump, "
     "los gobiernos reiteraron su compromiso con la seguridad.",
     """?e a bilat:Call ; bilat:date "2026-01-12"^^xsd:date ; bilat:status bilat:Held ;
        bilat:participant/rdfs:label "Claudia Sheinbaum", "Donald Trump" ."""),
    # "ayer" and a planned meeting with a month only
    ("es-yesterday-and-next-month",
     "date 2025-03-05\nEl canciller de Colombia y la ministra de Exteriores de Canadá se "
     "reunieron ayer en Bogotá. Ambos gobiernos celebrarán una nueva reunión en abril próximo.",
     """?held a bilat:Meeting ; bilat:date "2025-03-04"^^xsd:date ; bilat:status bilat:Held .
        ?next a bilat:Meeting ; bilat:date "2025-04"^^xsd:gYearMonth ;
              bilat:status bilat:Planned ; bilat:follows ?held ."""),
    ("en-last-sunday",
     "date 2025-08-25\nPresident Lee Jae-myung met Prime Minister Shigeru Ishiba last Saturday "
     "in Tokyo.",
     """?e a bilat:Summit ; bilat:date "2025-08-23"^^xsd:date ."""),
    # follows from a cue word
    ("en-after",
     "date 2025-02-06\nAfter the call of February 3 between President Donald Trump and "
     "President Claudia Sheinbaum, Secretary Marco Rubio met Foreign Secretary Juan Ramón de "
     "la Fuente in Washington today.",
     """?later a bilat:Meeting ; bilat:date "2025-02-06"^^xsd:date ; bilat:follows ?call .
        ?call a bilat:Call ; bilat:date "2025-02-03"^^xsd:date ."""),
    # commitments: agreed, future, with actors and topics
    ("es-acordaron",
     "date 2026-01-16\nLos gobiernos de México y Estados Unidos acordaron reforzar la "
     "cooperación contra el tráfico de armas.",
     """?c a bilat:Commitment ; bilat:concerns ?t ; bilat:committedBy ?g .
        ?t skos:notation "arms-trafficking" . ?g a bilat:Government ."""),
    ("en-will",
     "date 2025-07-11\nBritain and France will pilot a returns scheme for migrants who cross "
     "the Channel in small boats.",
     """?c a bilat:Commitment ; bilat:concerns/skos:notation "migration" ;
        bilat:committedBy/bilat:countryCode "GBR" ."""),
]

NOT_COMMITMENTS = [
    ("es-negated", "date 2026-01-16\nMéxico y Estados Unidos no acordaron reducir los aranceles."),
    ("en-negated", "date 2025-10-30\nThe United States and China did not agree to cut tariffs."),
    ("en-hedged", "date 2025-10-30\nThe United States and China could consider cutting tariffs."),
    ("es-hedged", "date 2026-01-16\nMéxico y Canadá podrían analizar la reducción de aranceles."),
]


@pytest.mark.parametrize(("name", "text", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_the_loader_finds(name, text, pattern):
    store = load(text, f"{name}.txt")
    assert bool(store.query(f"ASK {{ {pattern} }}")), f"{name}: not found"


@pytest.mark.parametrize(("name", "text"), NOT_COMMITMENTS, ids=[c[0] for c in NOT_COMMITMENTS])
def test_negated_and_hedged_undertakings_are_not_commitments(name, text):
    store = load(text, f"{name}.txt")
    assert not bool(store.query("ASK { ?c a bilat:Commitment }"))


def test_the_same_event_from_two_communiques_is_one_iri():
    first = extract(parse_communique(
        "date 2026-01-13\nLa presidenta Claudia Sheinbaum y el presidente Donald Trump "
        "sostuvieron el 12 de enero una llamada telefónica.".encode(), "a.txt"))
    second = extract(parse_communique(
        b"date 2026-01-14\nAfter the January 12 call between President Claudia Sheinbaum and "
        b"President Donald Trump, officials met in Washington.", "b.txt"))
    store = Store()
    store.replace_graph(first.graph, first.quads)
    store.replace_graph(second.graph, second.quads)
    rows = list(store.query("""
        SELECT ?e (COUNT(DISTINCT ?g) AS ?reports) WHERE {
          GRAPH ?g { ?e a bilat:Call ; bilat:date "2026-01-12"^^xsd:date } } GROUP BY ?e"""))
    assert len(rows) == 1 and int(rows[0]["reports"].value) == 2
