"""The serve tests import their ssh helper from this folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
