"""Text matching machinery: fast forms of large regular-expression alternations, their
literal prefilters, and the lexicon matcher (``kt_terms``)."""
