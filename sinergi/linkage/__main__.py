"""``python -m sinergi.linkage link|dedupe ...``: the linkage command line without Django."""

import sys

from sinergi.linkage.cli import main

if __name__ == "__main__":
    sys.exit(main())
