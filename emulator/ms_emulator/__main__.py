"""Entry point for `python -m ms_emulator`."""

from ms_emulator.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
