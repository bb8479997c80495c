#!/usr/bin/env bash
# Mutation testing of the eligibility checks (rules.py) and the allocation engine (allocation/).
# `make mutation` runs this. Configuration: [tool.mutmut] in pyproject.toml; results and the
# survivors judged equivalent: docs/robustness.md. Long, never in CI: a fresh run of the 1,956
# mutants takes about 1.5 hours on 2 cores (the 608 mutants of engine.py took 45 minutes on one).
#
#   bench/mutation.sh            run (incremental: mutmut reuses mutants/ and its results)
#   bench/mutation.sh --fresh    delete mutants/ first
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
if [[ "${1:-}" == "--fresh" ]]; then
    rm -rf mutants
fi
export PYTHONPATH="$PWD/bench${PYTHONPATH:+:$PYTHONPATH}"
"$BIN/mutmut" run --max-children "${MUTMUT_CHILDREN:-2}" || true
"$BIN/mutmut" export-cicd-stats >/dev/null 2>&1 || true
"$BIN/python" - <<'PY'
import json
from pathlib import Path

stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
killed = stats.get("killed", 0) + stats.get("timeout", 0) + stats.get("segfault", 0)
survived = stats.get("survived", 0)
judged = killed + survived
print(json.dumps(stats, indent=2))
if judged:
    print(f"mutation score: {killed}/{judged} = {100 * killed / judged:.1f}% killed "
          f"(no tests: {stats.get('no_tests', 0)}, skipped: {stats.get('skipped', 0)})")
PY
echo "survivors:"
"$BIN/mutmut" results 2>/dev/null | grep -E "survived|no tests" || true
