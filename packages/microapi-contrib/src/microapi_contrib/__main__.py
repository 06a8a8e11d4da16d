"""`python -m microapi_contrib routes module:app`."""

import sys

from .cli import main

sys.exit(main())
