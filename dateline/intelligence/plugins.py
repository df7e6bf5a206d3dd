"""The registries of the intelligence parts (dateline.base.plugins' one pattern).

Settings add parts by name: DATELINE_INTELLIGENCE_TAGGERS = {"name": "dotted.path.Class"}
(likewise _CLASSIFIERS, _RANKERS, _SUMMARISERS); DATELINE_INTELLIGENCE_USE names the one of
each kind the worker runs ({"tagger": "gazetteer", ...}). Built-ins are declared by the
modules that define them, below, as they are written.
"""

from dateline.base.plugins import Registry

from .base import RelatedRanker, Summariser, Tagger, TopicClassifier

taggers: Registry[Tagger] = Registry(
    "intelligence tagger", Tagger, setting="DATELINE_INTELLIGENCE_TAGGERS", builtins={})
classifiers: Registry[TopicClassifier] = Registry(
    "topic classifier", TopicClassifier, setting="DATELINE_INTELLIGENCE_CLASSIFIERS",
    builtins={})
rankers: Registry[RelatedRanker] = Registry(
    "related ranker", RelatedRanker, setting="DATELINE_INTELLIGENCE_RANKERS", builtins={})
summarisers: Registry[Summariser] = Registry(
    "summariser", Summariser, setting="DATELINE_INTELLIGENCE_SUMMARISERS", builtins={})
