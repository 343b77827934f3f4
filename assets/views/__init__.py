"""The assets app's pages, one module per audience.

browse (employees' pages and previews), downloads (files that leave the portal) and library
(marketing's tools) import only from the modules below them: access (who may see what),
files (how a stored file is sent) and listing (a page of cards). No view module imports another.
"""
