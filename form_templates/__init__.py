"""The form specs shipped with the pipeline: package data, installed as pipeline.form_templates (see setup.py)."""
