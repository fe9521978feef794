"""``python -m extractor`` is the ``vnextract`` command."""
from .cli import main

if __name__ == "__main__":
    main()
