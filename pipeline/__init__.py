"""Quality-assurance pipeline for children's social care: forms, ingest, watcher and DLT reports."""

__version__ = "0.1.0"
