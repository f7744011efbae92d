"""Reading dropped files: safe opening, Word and Excel readers."""
