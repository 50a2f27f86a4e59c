"""Data files of the harvester and the typed loader of each (:mod:`harvester.resources.pubmed_rules`)."""
