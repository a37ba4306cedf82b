#!/usr/bin/env bash
# The CI workflow's conformance matrix on this machine: one keras-conformance process per job of
# .github/workflows/conformance.yml (its `- {adapter: ..., shard: ...}` lines), one after the
# other, then the merge job's `keras-conformance report --strict`. Jobs whose adapter is not
# available here are skipped with the reason. Uses the checkout's .venv (make conformance).
#
#   scripts/ci-matrix.sh                                  # every job, default profile, reports in ci-reports/
#   PROFILE=quick K="ops.nn.softmax" scripts/ci-matrix.sh # a slice (-k) of every job, quick profile
#   OUT=/tmp/m ONLY=keras3-jax scripts/ci-matrix.sh       # the jobs of one adapter
set -uo pipefail
cd "$(dirname "$0")/.."
WORKFLOW=.github/workflows/conformance.yml
PROFILE=${PROFILE:-default}
OUT=${OUT:-ci-reports}
K=${K:-}
ONLY=${ONLY:-}
KC=.venv/bin/keras-conformance
[ -x "$KC" ] || { echo "ci-matrix: $KC is missing; run make conformance (or make test) first" >&2; exit 2; }

mapfile -t JOBS < <(sed -nE 's/^ *- \{adapter: ([^,]+), extra: [^,]+, shard: ([0-9]+\/[0-9]+)\}.*/\1 \2/p' "$WORKFLOW")
[ "${#JOBS[@]}" -gt 0 ] || { echo "ci-matrix: no jobs found in $WORKFLOW" >&2; exit 2; }
AVAILABLE=$($KC env)
rm -rf "$OUT" && mkdir -p "$OUT"
index=0
ran=0
for job in "${JOBS[@]}"; do
    read -r adapter shard <<<"$job"
    dir="$OUT/job-$index"
    index=$((index + 1))
    if [ -n "$ONLY" ] && [ "$adapter" != "$ONLY" ]; then continue; fi
    line=$(grep -E "^$adapter " <<<"$AVAILABLE" || true)
    if [ -z "$line" ] || [[ "$line" == *"["* ]]; then
        reason=${line#*[}
        echo "job $((index - 1)): $adapter shard $shard: skipped, ${reason%]}"
        continue
    fi
    start=$(date +%s)
    args=(run --adapters "$adapter" --profile "$PROFILE" --report-dir "$dir" "--shard=$shard" -q)
    [ -n "$K" ] && args+=(-k "$K")
    "$KC" "${args[@]}" >"$dir.log" 2>&1
    status=$?
    echo "job $((index - 1)): $adapter shard $shard: exit $status in $(( $(date +%s) - start )) s; $(grep -E '^[0-9]+ (passed|failed)|^[0-9]+ [a-z]+, .* in ' "$dir.log" | tail -1)"
    ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "ci-matrix: no job could run here" >&2; exit 2; }
echo "merge:"
"$KC" report "$OUT"/job-*/conformance.json -o "$OUT" --strict
