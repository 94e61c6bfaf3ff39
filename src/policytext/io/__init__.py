"""Reading: the corpus and its metadata (loading), encodings (decoding), the package's own data files (resources).

The only stage that reads a user's files.
"""

from policytext._core.lazy import stage_exports

__getattr__, __dir__ = stage_exports(__name__)
