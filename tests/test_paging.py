"""Pages of the `by_month` questions (queries/paging.py), read a few months at a time, and
of the `text` ones, found in the full-text index, are the rows of their whole answer; and
the whole answer, found through the aggregates graph's month rows, holds what the
communiqué graphs hold."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner
from pyoxigraph import BlankNode, Literal, NamedNode
from test_aggregates import CATALOGUE, generate, generated_store  # noqa: F401  (a fixture)

from bilat.cli import main
from bilat.graph import Store
from bilat.graph.binding import BindingError, with_values
from bilat.queries import paging
from bilat.queries.paging import (
    page_rows,
    period_keys,
    reader,
    rows_query,
    whole_rows,
)
from bilat.webapp import create_app

BY_MONTH = sorted(name for name, saved in CATALOGUE.items() if saved.by_month)
MEASURES = {"statements": "claims", "commitments": "commitments", "events": "events"}
WINDOWS = [
    {},
    {"from": "2016-03-01", "to": "2016-09-30"},
    {"from": "2016-05-10", "to": "2016-05-20"},
]


def run(store):
    answer = reader(store.query)
    return lambda sparql, bindings, stop=None: answer(sparql, bindings, stop)


def same(rows: list[dict]) -> list[dict]:
    """The rows with each GROUP_CONCAT list sorted: the engine joins the parts in the order
    its plan meets them, and a page's plan is not the whole answer's."""

    def text(value) -> str:
        value = getattr(value, "value", value)
        return ", ".join(sorted(value.split(", "))) if isinstance(value, str) else value

    return [{name: text(value) for name, value in row.items()} for row in rows]


def values_for(store, saved) -> list[dict[str, str]]:
    """A busy and a rare value of the question's actor or topic, and some date windows."""
    if "actor" in saved.params:
        measure = next(m for w, m in MEASURES.items() if w in saved.name)
        found = store.query(
            "PREFIX agg: <https://w3id.org/bilat/aggregates#> "
            f"SELECT ?actor (SUM(?n) AS ?total) WHERE {{ ?row agg:actor ?actor ; "
            f"agg:measure agg:{measure} ; agg:count ?n }} "
            "GROUP BY ?actor ORDER BY DESC(?total) ?actor"
        )
        actors = [row["actor"].value.rsplit("/", 1)[1] for row in found]
        return [{"actor": actors[0]}, {"actor": actors[len(actors) // 2]}]
    if "topic" in saved.params:
        windows = WINDOWS if "from" in saved.params else [{}]
        return [{"topic": t, **w} for t in ("security", "trade") for w in windows]
    if "country_a" in saved.params:
        pairs = store.query(
            "PREFIX agg: <https://w3id.org/bilat/aggregates#> SELECT ?a ?b (COUNT(*) AS ?n) "
            "WHERE { GRAPH <https://w3id.org/bilat/id/graph/aggregates> { ?e agg:country ?a, ?b "
            "FILTER(STR(?a) < STR(?b)) } } GROUP BY ?a ?b ORDER BY DESC(?n) ?a ?b"
        )
        keys = [(r["a"].value.rsplit("/", 1)[1], r["b"].value.rsplit("/", 1)[1]) for r in pairs]
        return [{"country_a": a, "country_b": b} for a, b in (keys[0], keys[len(keys) // 2])]
    if "word" in saved.params:
        return [{"word": "security"}, {"word": "the"}]
    if "earlier_kind" in saved.params:
        return [{}, {"later_kind": "Summit", "earlier_kind": "Visit"}]
    if "after" in saved.params:
        return [{"after": "2016-01-01"}, {"after": "2016-06-15"}]
    return WINDOWS


def rows_paged(store, name: str, windows: list[tuple[int, int]]) -> int:
    """Checks that each window of the question's pages, for its draws of values, holds the
    whole answer's rows; the number of rows the draws found."""
    saved = CATALOGUE[name]
    answer = run(store)
    checked = 0
    for values in values_for(store, saved):
        bound = saved.bind(values)
        names, whole = answer(saved.sparql, bound)
        for start, stop in [*windows, (0, len(whole) + 5)]:
            columns, page = page_rows(saved, bound, start, stop, answer)
            assert columns == names
            assert same(page) == same(whole[start:stop]), (values, start, stop)
        checked += len(whole)
    return checked


@pytest.mark.parametrize("name", BY_MONTH)
def test_pages_are_the_whole_answers_rows(generated_store, name):  # noqa: F811
    # the draws find rows to page through, over several months
    assert rows_paged(generated_store, name, [(0, 3), (0, 6), (3, 9), (5, 40)]) > 5


@pytest.mark.parametrize("name", [n for n in BY_MONTH if CATALOGUE[n].by_month.items])
def test_a_deep_page_binds_a_few_items_a_query(generated_store, name, monkeypatch):  # noqa: F811
    # Oxigraph's plan for a VALUES block of 1,024 rows reads the whole store (at 100k
    # communiqués, a page 5,000 rows deep took 113 s, then 1.8 s)
    monkeypatch.setattr(paging, "CHUNK", 4)
    saved = CATALOGUE[name]
    answer = run(generated_store)
    batches = []

    def counted(sparql, bindings, stop=None):
        batches.append(len(bindings.get(f"month {saved.by_month.items}", ())))
        return answer(sparql, bindings, stop)

    draws = [saved.bind(values) for values in values_for(generated_store, saved)]
    bound = max(draws, key=lambda bound: len(answer(saved.sparql, bound)[1]))
    names, whole = answer(saved.sparql, bound)
    columns, page = page_rows(saved, bound, len(whole) - 3, len(whole), counted)
    assert columns == names and same(page) == same(whole[-3:])
    # a batch goes on past CHUNK items to the end of the last one's date only
    ties = max(Counter(str(row.get("date")) for row in whole).values())
    assert 0 < max(batches) <= 4 + ties < len(whole) or len(whole) < 20, batches


@pytest.mark.parametrize(
    "window",
    [
        {},
        {"from": "2016-03-10", "to": "2019-06-30"},
        {"from": "2015-02-03", "to": "2016-04-30"},
        {"from": "2019-12-01", "to": "2020-03-31"},
    ],
)
def test_a_page_of_the_busiest_is_the_whole_answers_rows(generated_store, window):  # noqa: F811
    # read level by level (`#+ top`): the first page reads the busiest few actors only
    saved = CATALOGUE["most-active-actors"]
    bound = saved.bind(window)
    names, whole = run(generated_store)(saved.sparql, bound)
    for start, stop in [(0, 1), (0, 5), (3, 12), (0, 20), (0, len(whole) + 3)]:
        columns, page = page_rows(saved, bound, start, stop, run(generated_store))
        assert columns == names and same(page) == same(whole[start:stop]), (start, stop)
    assert len(whole) > 5


@pytest.fixture(scope="module")
def runner_up(tmp_path_factory) -> Store:
    """A year in which each month's busiest actor is a different one, each with 10
    claims, and one actor, every month's second, makes 9 claims every month: busiest of
    the year, though never first in a month."""
    folder = tmp_path_factory.mktemp("top")
    lines = []
    for month in range(1, 13):
        graph = f"<https://w3id.org/bilat/id/communique/c{month}>"
        date = f'"2020-{month:02d}-15"^^xsd:date'
        lines.append(f"{graph} a bilat:Communique ; dcterms:date {date} .")
        for actor, claims in ((f"first-{month}", 10), ("runner-up", 9)):
            for n in range(claims):
                claim = f"<https://w3id.org/bilat/id/claim/{actor}-{month}-{n}>"
                lines.append(
                    f"{claim} a bilat:Claim ; prov:wasDerivedFrom {graph} .\n"
                    f"<https://w3id.org/bilat/id/actor/{actor}> bilat:said {claim} ."
                )
    prefixes = (
        "@prefix bilat: <https://w3id.org/bilat/ontology#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    )
    data = folder / "top.ttl"
    data.write_text(prefixes + "\n".join(lines), encoding="utf-8")
    store = Store(folder / "store")
    store.import_file(data, NamedNode("https://w3id.org/bilat/id/communique/all"))
    yield store
    store.close()


def test_the_busiest_of_a_period_may_lead_no_month_of_it(runner_up):
    saved = CATALOGUE["most-active-actors"]
    bound = saved.bind({"from": "2020-01-01", "to": "2020-12-31"})
    names, whole = run(runner_up)(saved.sparql, bound)
    assert whole[0]["actor"].value.endswith("/runner-up") and whole[0]["total"].value == "108"
    for start, stop in [(0, 1), (0, 2), (1, 5), (0, 20)]:
        columns, page = page_rows(saved, bound, start, stop, run(runner_up))
        assert columns == names and page == whole[start:stop], (start, stop)


@pytest.mark.parametrize("kind", ["Meeting", "Call", "Visit"])
def test_a_ranked_page_is_the_whole_answers_rows(generated_store, kind):  # noqa: F811
    saved = CATALOGUE["who-met-whom"]
    bound = saved.bind({"kind": kind})
    names, whole = run(generated_store)(saved.sparql, bound)
    for start, stop in [(0, 1), (0, 5), (3, 12), (0, len(whole) + 3)]:
        columns, page = page_rows(saved, bound, start, stop, run(generated_store))
        assert columns == names and page == whole[start:stop], (start, stop)
    assert len(whole) > 12


TEXT = sorted(name for name, saved in CATALOGUE.items() if saved.text)


def rare_word(store) -> str:
    """The longest word of one evidence sentence: found in few claims."""
    sentence = next(iter(store.query(
        "SELECT ?text WHERE { ?c a bilat:Claim ; bilat:evidence/nif:anchorOf ?text } "
        "ORDER BY DESC(?text) LIMIT 1"
    )))["text"].value
    return max(sentence.split(), key=len).strip(".,;")


@pytest.mark.parametrize("chunk", [paging.CHUNK, 4])  # 4: a page's items in several queries
@pytest.mark.parametrize("name", TEXT)
def test_pages_found_in_the_text_index_are_the_whole_answers_rows(
    generated_store, name, chunk, monkeypatch  # noqa: F811
):
    monkeypatch.setattr(paging, "CHUNK", chunk)
    saved = CATALOGUE[name]
    answer = run(generated_store)
    index = generated_store.text_index()
    asked = []

    def search(*args):
        asked.append(args)
        return index.first(*args)

    checked = 0
    for word in ["security", "THE", rare_word(generated_store), "zqxj", "de"]:
        bound = saved.bind({saved.text.search: word})
        names, whole = answer(saved.sparql, bound)
        for start, stop in [(0, 1), (0, 6), (3, 9), (5, 40), (0, len(whole) + 5)]:
            columns, page = page_rows(saved, bound, start, stop, answer, search)
            assert columns == names
            assert same(page) == same(whole[start:stop]), (word, start, stop)
        checked += len(whole)
    assert checked > 40 and asked  # the index was asked (for "de", it cannot say)


@pytest.mark.parametrize("name", TEXT)
def test_whole_answers_of_text_questions_are_read_through_the_index(
    generated_store, name, monkeypatch  # noqa: F811
):
    saved = CATALOGUE[name]
    answer = run(generated_store)
    index = generated_store.text_index()
    bound_items = []

    def counted(sparql, bindings, stop=None):
        bound_items.append(len(bindings.get(saved.text.finds, ())))
        return answer(sparql, bindings, stop)

    monkeypatch.setattr(paging, "CHUNK", 7)  # several queries, split where dates change
    checked = 0
    for word in ["security", "THE", rare_word(generated_store), "zqxj"]:
        bound = saved.bind({saved.text.search: word})
        whole = answer(saved.sparql, bound)
        assert whole_rows(saved, bound, counted, index.first) == whole, word
        checked += len(whole[1])
    # no query bound many more than CHUNK: a run of items goes on to the end of its date only
    busiest_date = max(Counter(date for _, date in index.first("the", 10**6, True)[0]).values())
    assert checked > 40 and len(bound_items) > 10 and max(bound_items) < 7 + busiest_date
    # too short to look up, or more matches than a whole answer reads through the index
    monkeypatch.setattr(paging, "WHOLE_ITEMS", 3)
    for word in ["de", "the"]:
        assert whole_rows(saved, saved.bind({saved.text.search: word}), answer, index.first) is None


def test_the_whole_answer_of_a_text_question_as_a_twin_and_from_the_cli(generated_store):  # noqa: F811
    saved = CATALOGUE["evidence-containing"]
    word = rare_word(generated_store)
    names, whole = run(generated_store)(saved.sparql, saved.bind({"word": word}))
    client = create_app({"TESTING": True, "STORE": generated_store}).test_client()
    response = client.get("/questions/evidence-containing.json", query_string={"word": word})
    found = json.loads(response.data)["results"]["bindings"]
    assert [b["claim"]["value"] for b in found] == [row["claim"].value for row in whole]
    assert whole
    result = CliRunner().invoke(main, ["--store", str(generated_store.path), "query",
                                       "evidence-containing", "-p", f"word={word}",
                                       "--format", "csv"])
    assert result.exit_code == 0, result.output
    claims = [line.split(",")[names.index("claim")] for line in result.output.splitlines()[1:]]
    assert claims == [row["claim"].value for row in whole]


def test_period_keys_are_those_the_query_sums():
    months = [f"{y}-{m:02d}" for y in (2016, 2017, 2018) for m in range(1, 13)]
    assert period_keys(months, "2016-11", "2018-02") == [
        "2017",
        "2016-11",
        "2016-12",
        "2018-01",
        "2018-02",
    ]
    assert period_keys(months, "2017-03", "2017-04") == ["2017-03", "2017-04"]
    assert period_keys(months, "2000-01", "2100-12") == ["all"]
    assert period_keys(months, None, None) == ["all"]
    assert period_keys(months, "2016-01", None)[:3] == ["2017", "2018", "2016-01"]
    assert period_keys([], None, None) == ["all"]


STATEMENTS_DIRECT = """
SELECT DISTINCT ?claim WHERE {
  ?actor bilat:said ?claim . ?claim bilat:text ?text ; prov:wasDerivedFrom ?communique .
}"""
ON_TOPIC_DIRECT = """
SELECT DISTINCT ?claim WHERE {
  ?claim bilat:concerns/skos:broader* ?topic ; a bilat:Claim ; prov:wasDerivedFrom ?c .
  ?c dcterms:date ?date . FILTER(?date >= ?from && ?date <= ?to)
}"""


@pytest.mark.parametrize(
    ("name", "direct", "values"),
    [
        ("actor-statements", STATEMENTS_DIRECT, {}),
        ("statements-on-topic", ON_TOPIC_DIRECT, {"topic": "security"}),
        (
            "statements-on-topic",
            ON_TOPIC_DIRECT,
            {"topic": "trade", "from": "2016-03-01", "to": "2016-09-30"},
        ),
    ],
)
def test_the_month_rows_find_every_claim(generated_store, name, direct, values):  # noqa: F811
    saved = CATALOGUE[name]
    values = values or values_for(generated_store, saved)[0]  # the busiest actor
    bound = saved.bind(values)
    found = {row["claim"] for row in generated_store.query(saved.sparql, bound)}
    expected = {row["claim"] for row in generated_store.query(direct, bound)}
    assert found == expected and expected


def test_a_list_binds_one_row_per_term():
    text = with_values(
        "SELECT * WHERE { ?s ?p ?month }",
        {"s": NamedNode("http://example.org/a"), "month": [Literal("2024-01"), Literal("2024-02")]},
    )
    rows = '(<http://example.org/a> "2024-01") (<http://example.org/a> "2024-02")'
    assert f"VALUES (?s ?month) {{ {rows} }}" in text


def test_two_lists_bind_every_combination():
    text = with_values(
        "SELECT * WHERE { ?a ?b ?c }",
        {"a": [Literal("x"), Literal("y")], "b": [Literal("1"), Literal("2")]},
    )
    assert 'VALUES (?a ?b) { ("x" "1") ("x" "2") ("y" "1") ("y" "2") }' in text


def test_a_blank_node_in_a_list_is_refused():
    with pytest.raises(BindingError, match="bind an IRI or a literal"):
        with_values("SELECT * WHERE { ?a ?b ?c }", {"a": [Literal("x"), BlankNode()]})


@pytest.mark.parametrize("name", [*BY_MONTH, "most-active-actors", "who-met-whom"])
def test_a_twin_with_limit_is_the_page(generated_store, name):  # noqa: F811
    """/questions/NAME.json?limit=&offset= holds the rows the page shows, in its order."""
    saved = CATALOGUE[name]
    answer_of = run(generated_store)
    draws = values_for(generated_store, saved) if name in BY_MONTH else [{}]
    values = max(draws, key=lambda v: len(answer_of(saved.sparql, saved.bind(v))[1]))
    names, whole = answer_of(saved.sparql, saved.bind(values))
    client = create_app({"TESTING": True, "STORE": generated_store}).test_client()
    for start, size in [(0, 4), (3, 5)]:
        response = client.get(
            f"/questions/{name}.json", query_string={**values, "limit": size, "offset": start}
        )
        assert response.status_code == 200, response.data
        answer = json.loads(response.data)
        assert answer["head"]["vars"] == names
        found = [{n: b[n]["value"] for n in names if n in b} for b in answer["results"]["bindings"]]
        expected = [
            {n: row[n].value for n in names if row[n] is not None}
            for row in whole[start : start + size]
        ]
        assert found == expected and expected
    # the same page as CSV: a header line, then a line per row
    response = client.get(f"/questions/{name}.csv", query_string={**values, "limit": 4})
    lines = response.get_data(as_text=True).splitlines()
    assert response.status_code == 200 and lines[0].split(",") == names and len(lines) == 5


def test_a_page_read_is_written_from_its_rows(generated_store):  # noqa: F811
    saved = CATALOGUE["actor-statements"]
    answer = run(generated_store)
    names, whole = answer(saved.sparql, saved.bind(values_for(generated_store, saved)[0]))
    page = [*whole[:5], {**whole[5], names[-1]: None}]  # an unbound value, as OPTIONAL leaves
    sparql, bound = rows_query(names, page)
    assert len(page) == 6 and answer(sparql, bound) == (names, page)


def edited_store(folder, seed: int, update: str) -> Store:
    """A generated store changed by a SPARQL update before its aggregates are made. (An
    update reads the named graphs by name, GRAPH ?g, not as a union.)"""
    generate.generate(60, folder / "g.nq", seed=seed, pool=200)
    store = Store(folder / "store")
    store.import_file(folder / "g.nq", refresh=False)
    store.update(update)
    store.refresh_aggregates()
    return store


@pytest.fixture(scope="module")
def twice_dated(tmp_path_factory):
    """A generated store in which the events of one month also have a second date there,
    as when one communiqué dates an event to the month and another to the day."""
    with edited_store(
        tmp_path_factory.mktemp("twice"), 11,
        "INSERT { GRAPH <https://w3id.org/bilat/id/graph/second> { ?event bilat:date ?late } }"
        " WHERE { SELECT DISTINCT ?event ?late { GRAPH ?g { ?event bilat:date ?date }"
        "   FILTER(STRLEN(STR(?date)) = 10 && SUBSTR(STR(?date), 9, 2) < \"15\")"
        "   BIND(STRDT(CONCAT(SUBSTR(STR(?date), 1, 8), \"28\"), xsd:date) AS ?late) } }",
    ) as store:
        assert len(store.quads(NamedNode("https://w3id.org/bilat/id/graph/second"))) > 20
        yield store


@pytest.mark.parametrize("name", ["actor-events", "planned-events", "timeline-between-countries"])
def test_items_with_two_dates_in_a_month_keep_the_pages_whole(twice_dated, name):
    assert rows_paged(twice_dated, name, [(0, 1), (0, 2), (0, 5), (2, 9)]) > 5


def test_a_server_gets_a_single_row_one_variable_to_a_block():
    bound = {"a": Literal("x"), "b c": [(Literal("1"), None)]}
    text = with_values("SELECT * WHERE { ?a ?b ?c }", bound, row_apart=True)
    assert 'VALUES ?a { "x" } VALUES ?b { "1" } VALUES ?c { UNDEF }' in text
    listed = with_values("SELECT * WHERE { ?a ?b ?c }", {"a": [Literal("x"), Literal("y")]},
                         row_apart=True)
    assert 'VALUES (?a) { ("x") ("y") }' in listed


@pytest.fixture(scope="module")
def partly_undated(tmp_path_factory) -> Store:
    """A generated store in which the communiqués of the 3rd, 10th, 17th, 24th and 31st of
    each month have lost their date, and so have the events they report, as data imported
    from elsewhere may (the loader dates everything)."""
    with edited_store(
        tmp_path_factory.mktemp("undated"), 13,
        "DELETE { GRAPH ?g { ?s ?p ?date } } WHERE { GRAPH ?g { ?c a bilat:Communique ; "
        "dcterms:date ?cdate . ?s ?p ?date FILTER(?p IN (dcterms:date, bilat:date)) } "
        "FILTER(xsd:integer(SUBSTR(STR(?cdate), 9, 2)) IN (3, 10, 17, 24, 31)) }",
    ) as store:
        undated = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?c a bilat:Communique "
                              "FILTER NOT EXISTS { ?c dcterms:date ?d } }")
        assert int(next(iter(undated))["n"].value) > 3
        yield store


@pytest.mark.parametrize("name", BY_MONTH)
def test_items_without_a_date_are_on_the_pages_too(partly_undated, name):
    # the whole answer lists them (unbound dates sort last newest first, first oldest
    # first), and so must the pages: they are in the month "0000-00"
    rows_paged(partly_undated, name, [(0, 3), (0, 6), (3, 9), (5, 40)])


EVERY_ITEM = {  # each question's items, found in the communiqués' graphs, dated or not
    "actor-statements": "SELECT DISTINCT ?item WHERE { ?actor bilat:said ?item . "
                        "?item bilat:text ?text ; prov:wasDerivedFrom ?communique }",
    "actor-commitments": "SELECT DISTINCT ?item WHERE { ?item bilat:committedBy ?actor ; "
                         "bilat:text ?text ; prov:wasDerivedFrom ?communique }",
    "commitments-on-topic": "SELECT DISTINCT ?item WHERE { ?item a bilat:Commitment ; "
                            "bilat:concerns/skos:broader* ?topic ; bilat:text ?text ; "
                            "prov:wasDerivedFrom ?communique }",
    "communiques-on-topic": "SELECT DISTINCT ?item WHERE { ?item a bilat:Communique ; "
                            "bilat:about/skos:broader* ?topic }",
}


@pytest.mark.parametrize("name", sorted(EVERY_ITEM))
def test_the_month_rows_find_items_without_a_date(partly_undated, name):
    saved = CATALOGUE[name]
    item = {"actor-statements": "claim", "communiques-on-topic": "communique"}.get(
        name, "commitment")
    undated = 0
    for values in values_for(partly_undated, saved):
        bound = saved.bind(values)
        rows = list(partly_undated.query(saved.sparql, bound))
        expected = {row["item"] for row in partly_undated.query(EVERY_ITEM[name], bound)}
        assert {row[item] for row in rows} == expected, values
        undated += sum(1 for row in rows if row["date"] is None)
    assert undated
