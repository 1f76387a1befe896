"""Latency and memory of `prep ask`: cold start, warm p50/p95 over the golden set, peak RSS.

Run: .venv/bin/python bench/latency.py [--runs 5]. Uses the settings' index (built if missing).
Targets (issue 5): cold < 3 s, warm p95 < 50 ms without an LLM, peak RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTION = "What is the total comp for an L5 MLE at Netflix?"
PREP = str(Path(sys.executable).with_name("prep"))


def cold(runs: int, env: dict[str, str], question: str = QUESTION) -> tuple[list[float], float]:
    """Wall times of fresh `prep ask` processes and the largest child RSS (MB)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([PREP, "ask", question], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return times, peak_kb / 1024


def warm(repeat: int, typos: bool) -> tuple[list[float], float]:
    """Per-question latencies (ms) in one process after a warm-up, and this process's peak RSS.

    The golden questions, and with `typos` their typo twins too (the same seeded typos as the
    eval's typo set, made from each question alone).
    """
    from assistant.app.service import Assistant
    from assistant.evaluation.golden import load_golden
    from assistant.settings import Settings

    assistant = Assistant(Settings())
    golden = Path(__file__).resolve().parent.parent / "tests" / "golden" / "golden.jsonl"
    questions = [c.question for c in load_golden(golden)]
    if typos:
        from assistant.evaluation.typos import with_typos

        questions += [with_typos(q, 1 / 3, f"15:{n}") for n, q in enumerate(questions)]
    assistant.ask(questions[0])  # loads the index, the encoder and BM25
    latencies = []
    for _ in range(repeat):
        for q in questions:
            started = time.perf_counter()
            assistant.ask(q)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="cold runs per encoder")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the golden set")
    parser.add_argument("--question", default=QUESTION, help="the cold runs' question")
    parser.add_argument(
        "--typos", action="store_true", help="warm runs also ask each question with typos"
    )
    args = parser.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    subprocess.run([PREP, "index"], env=env, check=True, capture_output=True)  # built, not timed

    onnx, rss_cold = cold(args.runs, env, args.question)
    torch_env = {**env, "PREP_QUERY_ENCODER": "sentence-transformers"}
    torch_times, rss_torch = cold(args.runs, torch_env)
    latencies, rss_warm = warm(args.repeat, args.typos)

    print(f"cold question: {args.question!r}; warm set with typos: {args.typos}")
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'figure':44} {'value':>12} {'target':>10}  met")
    rows = [
        (f"cold `prep ask`, median of {args.runs} (s)", statistics.median(onnx), 3.0),
        ("cold `prep ask`, best (s)", min(onnx), 3.0),
        ("cold, torch query encoder, median (s)", statistics.median(torch_times), None),
        ("warm latency p50 (ms)", pct(latencies, 50), None),
        ("warm latency p95 (ms)", pct(latencies, 95), 50.0),
        ("peak RSS, cold `prep ask` (MB)", rss_cold, 1024.0),
        ("peak RSS, warm process (MB)", rss_warm, 1024.0),
    ]
    for name, value, target in rows:
        met = "" if target is None else ("yes" if value < target else "NO")
        print(f"{name:44} {value:12.3f} {'' if target is None else f'< {target:g}':>10}  {met}")
    ratio = statistics.median(torch_times) / statistics.median(onnx)
    print(f"ONNX query encoder starts {ratio:.1f}x faster than torch (same run, same machine)")
    print(f"warm questions timed: {len(latencies)}; peak RSS with torch encoder {rss_torch:.0f} MB")


if __name__ == "__main__":
    main()
