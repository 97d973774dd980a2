"""Settings for the reliability bench's real processes: Sinergi's own, plus the analysis chunk size from the
environment (small chunks give a kill many points to land on)."""

import os

from sinergi.settings import *  # noqa: F403

SINERGI_IMPORT_ANALYSIS_ROWS = int(os.environ.get("SINERGI_IMPORT_ANALYSIS_ROWS", "2000"))
