"""`python -m xlogo_lang` is the `xlogo` command."""

import sys

from .cli import main

sys.exit(main())
