"""`python -m notecheck.cli`, the same as the `notecheck` console script."""
import sys

from notecheck.cli.root import main

sys.exit(main())
