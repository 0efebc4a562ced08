"""What the benchmarks share: the machine they ran on, and their sections of
docs/performance.md (each between ``<!-- name:start -->`` and ``<!-- name:end -->``; a
rerun replaces its own section and leaves the others alone)."""

import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERFORMANCE_MD = ROOT / "docs" / "performance.md"
NEW_DOC = "# Performance\n\nMeasured by the scripts in `benchmarks/`.\n"


def machine() -> str:
    """CPU model, cores, memory and operating system, for the report."""
    cpu, ram = "unknown CPU", "unknown RAM"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.0f} GiB RAM"
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {ram}, {platform.system()} {platform.release()}"


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def read_section(name: str) -> str:
    """The current text of a section ("" if there is none yet)."""
    start, end = _markers(name)
    text = PERFORMANCE_MD.read_text(encoding="utf-8") if PERFORMANCE_MD.exists() else ""
    if start in text and end in text:
        return text.split(start, 1)[1].split(end, 1)[0].strip("\n")
    return ""


def write_section(name: str, body: str) -> Path:
    """Replace (or append) the section ``name`` with ``body``; returns the file written."""
    start, end = _markers(name)
    text = PERFORMANCE_MD.read_text(encoding="utf-8") if PERFORMANCE_MD.exists() else NEW_DOC
    block = f"{start}\n{body.strip(chr(10))}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    PERFORMANCE_MD.parent.mkdir(parents=True, exist_ok=True)
    PERFORMANCE_MD.write_text(text, encoding="utf-8")
    return PERFORMANCE_MD
