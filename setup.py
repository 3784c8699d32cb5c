"""Build script for the optional C accelerator of XBRL instance parsing (everything else is in pyproject.toml)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "edgar.xbrl._scan",
            ["edgar/xbrl/_scan.c"],
            optional=True,  # without a C compiler the package installs and parses with lxml alone
            extra_compile_args=["-O2"],
        )
    ]
)
