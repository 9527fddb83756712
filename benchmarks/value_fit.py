"""Benchmark the BG/NBD and Gamma-Gamma fits against lifetimes 0.11.3.

Both libraries fit the same synthetic customers in the same run. The data are
drawn here and written to a temporary ``.npz`` file. cartera fits them in this
process, and lifetimes in a subprocess of a separate virtual environment,
because lifetimes 0.11.3 does not run on cartera's pandas and numpy. lifetimes
is never a dependency of cartera itself.

Set up the comparison environment once, from the repository root::

    python3.11 -m venv benchmarks/.venv-bench
    benchmarks/.venv-bench/bin/pip install "lifetimes==0.11.3" "pandas==1.5.3" \
        "numpy==1.26.4" "scipy==1.11.4"

Then run::

    PYTHONPATH=src python benchmarks/value_fit.py --customers 1000000

Customers are drawn from the BG/NBD and Gamma-Gamma models with the published
CDNOW parameters, first purchases spread over 12 weeks and a 39-week window,
with purchase days rounded to whole days as a ledger records them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cartera.models.bgnbd import BetaGeoModel
from cartera.models.gammagamma import GammaGammaModel
from cartera.models.simulate import simulate_bgnbd, simulate_spend

PURCHASE_TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
SPEND_TRUTH = {"p": 6.25, "q": 3.74, "gamma": 15.44}

LIFETIMES_SCRIPT = """
import json, sys, time, warnings
import numpy as np
import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter

warnings.simplefilter("ignore")
data = np.load(sys.argv[1])
x, t_x, T, m = data["frequency"], data["recency"], data["T"], data["monetary_value"]
result = {"version": lifetimes.__version__}

start = time.perf_counter()
bg = BetaGeoFitter().fit(x, t_x, T)
result["bgnbd_seconds"] = time.perf_counter() - start
result["bgnbd"] = {k: float(v) for k, v in bg.params_.items()}

# The same fit on distinct rows with counts as weights, the way cartera fits.
rows, counts = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
start = time.perf_counter()
bg_grouped = BetaGeoFitter().fit(rows[:, 0], rows[:, 1], rows[:, 2], weights=counts)
result["bgnbd_grouped_seconds"] = time.perf_counter() - start
result["bgnbd_grouped"] = {k: float(v) for k, v in bg_grouped.params_.items()}

repeat = (x > 0) & (m > 0)
start = time.perf_counter()
gg = GammaGammaFitter().fit(x[repeat], m[repeat])
result["gammagamma_seconds"] = time.perf_counter() - start
params = {k: float(v) for k, v in gg.params_.items()}
result["gammagamma"] = {"p": params["p"], "q": params["q"], "gamma": params["v"]}
print(json.dumps(result))
"""


def simulate(customers: int, seed: int) -> pd.DataFrame:
    """Draw the customers' summaries: weeks, 39-week window, whole days."""
    rng = np.random.default_rng(seed)
    first_day = rng.integers(0, 84, size=customers)
    T = (273 - first_day) / 7.0
    summary = simulate_bgnbd(PURCHASE_TRUTH, T, rng)
    summary["monetary_value"] = simulate_spend(SPEND_TRUTH, summary["frequency"], rng)
    return summary


def time_best_of(repeats: int, fit: object) -> tuple[float, object]:
    best = float("inf")
    model = None
    for _ in range(repeats):
        start = time.perf_counter()
        model = fit()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best, model


def same_to_digits(ours: dict[str, float], theirs: dict[str, float]) -> bool:
    """Whether every parameter agrees to 3 significant digits."""
    return all(
        float(f"{ours[name]:.3g}") == float(f"{theirs[name]:.3g}") for name in ours
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2005)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--lifetimes-python",
        type=Path,
        default=Path("benchmarks/.venv-bench/bin/python"),
        help="Python of the environment with lifetimes 0.11.3.",
    )
    args = parser.parse_args()

    start = time.perf_counter()
    summary = simulate(args.customers, args.seed)
    print(
        f"simulated {len(summary):,} customers in {time.perf_counter() - start:.1f} s"
    )

    bg_seconds, bg = time_best_of(args.repeats, lambda: BetaGeoModel().fit(summary))
    gg_seconds, gg = time_best_of(args.repeats, lambda: GammaGammaModel().fit(summary))
    assert isinstance(bg, BetaGeoModel) and isinstance(gg, GammaGammaModel)
    print(f"BG/NBD: {bg.n_groups_:,} distinct (x, t_x, T) rows")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customers.npz"
        np.savez(path, **{c: summary[c].to_numpy() for c in summary.columns})
        completed = subprocess.run(
            [str(args.lifetimes_python), "-c", LIFETIMES_SCRIPT, str(path)],
            check=True,
            capture_output=True,
            text=True,
        )
    theirs = json.loads(completed.stdout.strip().splitlines()[-1])

    rows = [
        ("BG/NBD", bg_seconds, theirs["bgnbd_seconds"], bg.params_, theirs["bgnbd"]),
        (
            "BG/NBD, lifetimes on grouped rows",
            bg_seconds,
            theirs["bgnbd_grouped_seconds"],
            bg.params_,
            theirs["bgnbd_grouped"],
        ),
        (
            "Gamma-Gamma",
            gg_seconds,
            theirs["gammagamma_seconds"],
            gg.params_,
            theirs["gammagamma"],
        ),
    ]
    print(f"\nlifetimes {theirs['version']}, best of {args.repeats} cartera fits\n")
    header = ["model", "cartera s", "lifetimes s", "speed-up"]
    header += ["cartera", "lifetimes", "3 digits"]
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|---|---|---|---|")
    for name, ours_s, theirs_s, ours, other in rows:
        ours_text = ", ".join(f"{k} {v:.4g}" for k, v in ours.items())
        other_text = ", ".join(f"{k} {other[k]:.4g}" for k in ours)
        agree = "yes" if same_to_digits(ours, other) else "no"
        print(
            f"| {name} | {ours_s:.2f} | {theirs_s:.2f} | {theirs_s / ours_s:.0f}x "
            f"| {ours_text} | {other_text} | {agree} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
