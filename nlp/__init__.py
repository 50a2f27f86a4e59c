"""NLP: turn an abstract into a structured evidence record (spaCy, rules, lexicons).

Importing this package is cheap; spaCy loads only when a pipeline is built.
"""
