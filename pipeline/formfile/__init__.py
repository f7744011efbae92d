"""The form-file contract: what a form file holds and what everything in it is called.

The template builders (``pipeline.templates``) write form files and the readers (``pipeline.read``)
read them back; both take every name and every piece of file structure from here, and neither
imports the other:

- ``names``: custom property names, control tags and titles, Excel sheet and defined names,
  placeholder texts, check-box glyphs and date formats;
- ``oxml``: a small wrapper over lxml for Word content controls (``w:sdt``) and the custom
  properties part, in the manner of python-docx's ``oxml`` classes;
- ``layout``: which controls a Word form holds, in which order, of which kind — what a reader
  needs to place answers from a file whose controls lost their names.
"""
