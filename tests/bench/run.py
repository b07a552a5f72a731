"""``make bench``: run every ``bench_*.py`` beside this file, each printing its own figures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def main() -> int:
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"\n== {path.stem} ==", flush=True)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
