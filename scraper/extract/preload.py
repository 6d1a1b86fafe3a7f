"""Importing this module readies extraction in the importing process: the language model
(about 70 MB, 0.7 s to load) and dateparser's data are loaded by one throwaway extraction.

The crawl's process pool preloads it in its forkserver, so the workers forked from there
start warm and share one copy of the model instead of loading one each. `gc.freeze()`
keeps the collector from writing to those objects, which would un-share their pages.
"""

import gc

from scraper.extract import warm_up

warm_up()
gc.freeze()
