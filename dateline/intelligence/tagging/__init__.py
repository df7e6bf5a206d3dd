"""Entity tags: the gazetteer tagger (registry name "gazetteer") and what it is made of."""
