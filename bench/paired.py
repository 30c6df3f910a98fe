"""The redemption against an earlier commit, in one run (issue #14: the usage facts must not slow
the redemption; its service ratio may not drop more than 5 % against the issue's starting commit).

`python -m bench.paired [commit] [pairs]` checks the commit out in a temporary worktree, then runs
`python -m bench vouchers` (redemption, and a small issuance) there and here in turn, `pairs` times,
each on a database of its own: the machine's other work weighs on both alike. It prints each run's
service/raw ratio (from the rates per second), the median of each side and the drop. The commit
defaults to BENCH_BASE, else issue #14's starting commit.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ISSUE_14_START = "b1bc8f5"
GOAL_DROP = 0.05
# The rates (/s, three or four digits), not the printed ratio: two decimals (0.33, 0.35) move in steps of 3 %.
_RATES = re.compile(r"service redemption_create\s+([\d.]+) ms each\s+(\d+) /s.*?"
                    r"raw conditional UPDATE\s+([\d.]+) ms each\s+(\d+) /s", re.S)  # fmt: skip


def _run(tree: Path) -> tuple[float, float, float]:
    env = os.environ | {"BENCH_ISSUE_COUNT": os.environ.get("BENCH_ISSUE_COUNT", "10000")}
    out = subprocess.run(
        [sys.executable, "-m", "bench", "vouchers"], cwd=tree, env=env, capture_output=True, text=True, check=True
    ).stdout
    found = _RATES.search(out)
    if not found:
        raise SystemExit(f"no redemption figures in the output of {tree}:\n{out}")
    service, service_rate, raw, raw_rate = map(float, found.groups())
    return service, raw, service_rate / raw_rate


def main(base: str, pairs: int) -> None:
    here = Path(__file__).resolve().parent.parent
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("paired redemption: skipped, this goal is about PostgreSQL (DATABASE_URL=postgresql://…)")
        return
    sha = subprocess.run(["git", "rev-parse", "--short", base], cwd=here, capture_output=True, text=True, check=True)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True, check=True)
    print(f"redemption, {sha.stdout.strip()} (base) and {head.stdout.strip()} (this tree) in turn, {pairs} pairs")
    with tempfile.TemporaryDirectory(prefix="aptic-base-") as tmp:
        tree = Path(tmp) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), base], cwd=here, check=True, capture_output=True
        )
        try:
            ratios = {"base": [], "this": []}
            for n in range(pairs):
                for side, where in (("base", tree), ("this", here)):
                    service, raw, ratio = _run(where)
                    ratios[side].append(ratio)
                    print(f"  pair {n + 1} {side:<4}  service {service:6.2f} ms  raw {raw:6.2f} ms  ratio {ratio:6.3f}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=here, check=False)
    base_ratio, this_ratio = statistics.median(ratios["base"]), statistics.median(ratios["this"])
    drop = (base_ratio - this_ratio) / base_ratio
    verdict = "goal met" if drop <= GOAL_DROP else "GOAL MISSED"
    print(f"  median ratio  base {base_ratio:.3f}  this {this_ratio:.3f}  drop {drop:+.1%}  ({verdict}: ≤ 5 %)")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else os.environ.get("BENCH_BASE", ISSUE_14_START), int(args[1]) if len(args) > 1 else 3)
