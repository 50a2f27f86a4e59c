"""Build step for the one compiled module; everything else is in pyproject.toml.

``harvester._pubmed_fast`` (PubMed XML to prepared rows, with its own XML scanner) is
optional: without a C compiler or the Python headers the build skips it and
``harvester.fast_xml`` uses the lxml parser, with the same results, slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "harvester._pubmed_fast",
            sources=["harvester/_pubmed_fast.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)
