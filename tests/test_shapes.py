"""The SHACL shapes: each one documented, each test file in tests/data/shapes judged as named."""

import re
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from bilat.ontology import ONTOLOGY_FILE, SHAPES_FILE, TOPICS_FILE

DATA = Path(__file__).parent / "data"
SHAPE_DATA = DATA / "shapes"
SHAPES = Namespace("https://w3id.org/bilat/shapes#")
# S03-Claim-valid.ttl, S03-Claim-valid-02.ttl, S03-Claim-invalid-01.ttl ...
FILE_NAME = re.compile(r"(?P<shape>S\d\d-[A-Za-z]+)-(?P<outcome>valid|invalid)(-\d\d)?\.ttl")
# "# expect: S03-Claim-isQuote" lines name shapes an invalid file must violate.
EXPECT = re.compile(r"^# expect: (\S+)\s*$", re.MULTILINE)
SHAPE_FILES = sorted(SHAPE_DATA.glob("*.ttl"))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE)


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    return Graph().parse(ONTOLOGY_FILE).parse(TOPICS_FILE)


def conformance(data: Graph, vocabulary: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    """Validate data plus the vocabulary graph, as the store does with its union graph."""
    merged = Graph()
    for triple in data:
        merged.add(triple)
    for triple in vocabulary:
        merged.add(triple)
    conforms, results, text = validate(merged, shacl_graph=shapes)
    return conforms, results, text


def source_shapes(results: Graph) -> set[URIRef]:
    return {
        results.value(result, SH.sourceShape)
        for result in results.subjects(RDF.type, SH.ValidationResult)
    }


def shape_nodes(shapes: Graph) -> set:
    """The shapes that can appear as sh:sourceShape: node shapes and property shapes."""
    return (
        set(shapes.subjects(RDF.type, SH.NodeShape))
        | set(shapes.subjects(RDF.type, SH.PropertyShape))
        | set(shapes.objects(None, SH.property))
        | set(shapes.subjects(SH.targetClass, None))
    )


def main_shapes(shapes: Graph) -> set[str]:
    """The names of the node shapes, one per class: S01-Communique, S02-Actor, ..."""
    return {
        str(shape).removeprefix(str(SHAPES))
        for shape in shapes.subjects(RDF.type, SH.NodeShape)
        if re.fullmatch(r"S\d\d-[A-Za-z]+", str(shape).removeprefix(str(SHAPES)))
    }


def in_family(shape: URIRef, name: str) -> bool:
    return str(shape) == str(SHAPES[name]) or str(shape).startswith(str(SHAPES[name]) + "-")


# --- the shapes file ------------------------------------------------------------------------


def test_every_shape_has_an_iri_a_label_and_a_message(shapes: Graph) -> None:
    nodes = shape_nodes(shapes)
    assert len(nodes) > 10
    for shape in nodes:
        assert isinstance(shape, URIRef) and str(shape).startswith(str(SHAPES)), shape
        assert {lit.language for lit in shapes.objects(shape, RDFS.label)} >= {"en", "es"}, shape
        assert {lit.language for lit in shapes.objects(shape, SH.message)} >= {"en", "es"}, shape


def test_every_sparql_constraint_has_a_message(shapes: Graph) -> None:
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None


def test_every_property_shape_belongs_to_a_node_shape(shapes: Graph) -> None:
    used = set(shapes.objects(None, SH.property))
    assert set(shapes.subjects(RDF.type, SH.PropertyShape)) <= used
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(shape, SH.targetClass) is not None, shape
        for prop in shapes.objects(shape, SH.property):
            assert in_family(prop, str(shape).removeprefix(str(SHAPES))), prop


def test_shapes_graph_is_valid_shacl(shapes: Graph) -> None:
    """pyshacl checks the shapes graph against SHACL-for-SHACL before validating."""
    conforms, _, text = validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


# --- the test data ------------------------------------------------------------------------------


def test_every_shape_has_valid_and_invalid_test_data(shapes: Graph) -> None:
    names = [FILE_NAME.fullmatch(path.name) for path in SHAPE_FILES]
    assert all(names), [p.name for p, m in zip(SHAPE_FILES, names, strict=True) if not m]
    outcomes = {(m["shape"], m["outcome"]) for m in names if m}
    for shape in main_shapes(shapes):
        assert (shape, "valid") in outcomes, shape
        assert (shape, "invalid") in outcomes, shape
    assert {shape for shape, _ in outcomes} <= main_shapes(shapes)


@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.stem)
def test_shape_data(path: Path, vocabulary: Graph, shapes: Graph) -> None:
    match = FILE_NAME.fullmatch(path.name)
    assert match, f"{path.name} is not named S0n-Shape-valid[-NN].ttl or S0n-Shape-invalid-NN.ttl"
    conforms, results, text = conformance(Graph().parse(path), vocabulary, shapes)
    if match["outcome"] == "valid":
        assert conforms, text
        return
    assert not conforms, f"{path.name} should violate {match['shape']}"
    violated = source_shapes(results)
    strays = {s for s in violated if not in_family(s, match["shape"])}
    assert not strays, f"{path.name} also violates {strays}:\n{text}"
    expected = {SHAPES[name] for name in EXPECT.findall(path.read_text(encoding="utf-8"))}
    assert expected, f"{path.name} names the shapes it violates in '# expect:' lines"
    assert expected <= violated, text


def test_messages_reach_the_report(vocabulary: Graph, shapes: Graph) -> None:
    _, results, _ = conformance(
        Graph().parse(SHAPE_DATA / "S03-Claim-invalid-01.ttl"), vocabulary, shapes
    )
    messages = set(results.objects(None, SH.resultMessage))
    assert (
        Literal(
            "A claim is said by at least one bilat:Actor (?actor bilat:said ?claim).", lang="en"
        )
        in messages
    )


def test_fixture_conforms(vocabulary: Graph, shapes: Graph) -> None:
    """tests/data/fixture.trig, every named graph merged, is what the loaders emit."""
    merged = Graph()
    for s, p, o, _ in Dataset().parse(DATA / "fixture.trig").quads():
        merged.add((s, p, o))
    assert len(merged) > 100
    conforms, _, text = conformance(merged, vocabulary, shapes)
    assert conforms, text
