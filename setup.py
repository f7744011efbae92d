"""Which packages the wheel holds; everything else (metadata, dependencies, package data) is in setup.cfg.

The shipped form specs stay at the repository root in form_templates/, where a QA admin looks for
them, and install as the package pipeline.form_templates, where the code loads them with
importlib.resources. setup.cfg cannot list a package found by find: and a mapped one together.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["pipeline", "pipeline.*"]), "pipeline.form_templates"],
    package_dir={"pipeline.form_templates": "form_templates"},
)
