"""Harvester: PubMed E-utilities client, PubMed XML and MEDLINE parsers, nightly harvest."""
