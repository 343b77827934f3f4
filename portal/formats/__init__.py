"""Date formats per language (FORMAT_MODULE_PATH), for the dates marketing's pages show: a file
added, a review step, a share link's end. Django's own defaults are American in English
("12/07/2026 2:05 p.m.") and numeric in German and French; these read as people write them."""
