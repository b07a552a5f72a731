"""What importing a module pulls in, seen from a fresh interpreter."""

import json
import subprocess
import sys


def top_level_modules_imported_by(module: str) -> set[str]:
    """Top-level names in ``sys.modules`` after ``import module`` in a new Python process."""
    script = (
        f"import json, sys, {module}\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return set(json.loads(output.strip().splitlines()[-1]))
