"""``sinergi link`` and ``sinergi dedupe``: thin management commands over :mod:`sinergi.linkage`."""
