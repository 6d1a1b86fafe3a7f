"""Importing this module readies extraction in the importing process: the language model
(about 70 MB, 0.7 s to load) and dateparser's data are loaded by one throwaway extraction,
and the module a worker's tasks name (`scraper.extract.worker`) is imported.

The crawl's process pool preloads it in its forkserver, so the workers forked from there
start warm and share one copy of the model instead of loading one each. `gc.freeze()`
keeps the collector from writing to those objects, which would un-share their pages.
"""

import gc

import scraper.extract.worker  # noqa: F401 - imported here, shared by every fork
from scraper.extract import warm_up

warm_up()
gc.freeze()
