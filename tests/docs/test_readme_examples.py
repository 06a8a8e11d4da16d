"""Every Python block in every README runs, so the documentation cannot rot.

A block preceded by a line `<!-- skip: reason -->` is not run (servers, fragments).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READMES = sorted([ROOT / "README.md", *ROOT.glob("packages/*/README.md")])
BLOCK = re.compile(r"(?P<marker><!-- skip: [^>]+-->\s*\n)?```python\n(?P<code>.*?)```", re.S)


def blocks() -> list[tuple[str, str]]:
    found = []
    for readme in READMES:
        for index, match in enumerate(BLOCK.finditer(readme.read_text())):
            if match["marker"] is None:
                found.append((f"{readme.relative_to(ROOT)}#{index}", match["code"]))
    return found


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("where", "code"), blocks(), ids=[where for where, _ in blocks()])
def test_readme_block_runs(where: str, code: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=50
    )
    assert result.returncode == 0, f"{where} failed:\n{result.stderr}"
