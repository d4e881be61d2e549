"""How long and how much memory does ``bp trace`` take on a long descent?

A benchmark, not a test: it measures and prints, and exits 0 however slow the trace is. For each
step count it writes a 7-parameter lesson (the all_params network, every parameter optimized, a
learning rate so small and ``min_step_size: 0`` so that descent runs exactly that many steps),
runs ``bp trace LESSON -o FILE`` in a fresh process for each format, and reports the wall time,
the CPU time, the peak resident memory of that process (``wait4``'s ``ru_maxrss``) and the size
of the file it wrote.

    .venv/bin/python bench/trace.py                     # 10^3 .. 10^6 steps, json and csv
    .venv/bin/python bench/trace.py --steps 1000 100000 --formats csv --every 100
    .venv/bin/python bench/trace.py --json              # one JSON record per run
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ALL_PARAMS = ROOT / "assets" / "lessons" / "all_params.yaml"


def long_lesson(steps: int) -> str:
    """The all_params lesson made to run exactly ``steps`` updates of all seven parameters."""
    lesson = yaml.safe_load(ALL_PARAMS.read_text(encoding="utf-8"))
    lesson["title"] = f"{steps:,} steps of all seven parameters"
    # Small enough that no step size reaches zero and descent never settles before the cap.
    lesson["descent"] = {"learning_rate": 1.0e-6, "min_step_size": 0.0, "max_steps": steps}
    return yaml.safe_dump(lesson, sort_keys=False)


def measure(lesson: Path, output: Path, every: int) -> dict[str, float]:
    """Run ``bp trace`` once in a new process: wall and CPU seconds, peak RSS, file size."""
    args = [sys.executable, "-m", "bpcore", "trace", str(lesson), "-o", str(output),
            "--every", str(every)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode(errors="replace").strip()
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"bp trace failed ({process.returncode}): {errors}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024, "file_mb": output.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[10**3, 10**4, 10**5, 10**6])
    parser.add_argument("--formats", nargs="+", default=["json", "csv"],
                        choices=["json", "yaml", "csv"])
    parser.add_argument("--every", type=int, default=1, help="bp trace --every N")
    parser.add_argument("--json", action="store_true", help="print one JSON record per run")
    args = parser.parse_args()
    print(f"bp trace, 7 parameters optimized, --every {args.every}; load "
          f"{os.getloadavg()[0]:.1f}", file=sys.stderr)
    if not args.json:
        print(f"{'steps':>9}  {'format':6} {'wall':>8} {'cpu':>8} {'peak RSS':>10} "
              f"{'file':>10} {'us/step':>8}")
    with tempfile.TemporaryDirectory(prefix="bp-bench-trace-") as work:
        for steps in args.steps:
            lesson = Path(work) / f"long{steps}.yaml"
            lesson.write_text(long_lesson(steps), encoding="utf-8")
            for format_ in args.formats:
                output = Path(work) / f"long{steps}.{format_}"
                result = measure(lesson, output, args.every)
                output.unlink()
                if args.json:
                    print(json.dumps({"steps": steps, "format": format_, "every": args.every,
                                      **{k: round(v, 2) for k, v in result.items()}}))
                else:
                    print(f"{steps:>9,}  {format_:6} {result['wall_s']:>6.1f} s "
                          f"{result['cpu_s']:>6.1f} s {result['peak_mb']:>7.0f} MB "
                          f"{result['file_mb']:>7.1f} MB "
                          f"{1e6 * result['wall_s'] / steps:>8.1f}", flush=True)
    print(f"load {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
