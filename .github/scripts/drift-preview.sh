#!/usr/bin/env bash
# Drift check of one stack: `pulumi preview --refresh` and its change count. Writes drift=true|false
# to $GITHUB_OUTPUT and, on drift, the preview's diff to the job summary. Exits non-zero only when the
# preview itself fails (credentials, the cluster, the program): that is a broken check, not drift, and
# must not open a drift issue.
#   drift-preview.sh <stack>
set -uo pipefail
stack="${1:?usage: drift-preview.sh <stack>}"
out="${GITHUB_OUTPUT:-/dev/stdout}"
summary="${GITHUB_STEP_SUMMARY:-/dev/stderr}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! pulumi preview --stack "$stack" --refresh --json --non-interactive >"$work/preview.json" 2>"$work/preview.err"; then
  echo "pulumi preview failed on $stack: not drift, a broken check" >&2
  cat "$work/preview.err" >&2
  exit 1
fi
changes=$(node -e '
  const summary = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).changeSummary ?? {};
  console.log(Object.entries(summary).filter(([op]) => op !== "same").reduce((sum, [, count]) => sum + count, 0));
' "$work/preview.json")
if [ "$changes" -gt 0 ]; then
  echo "drift=true" >>"$out"
  {
    echo "### Drift on $stack: $changes change(s)"
    echo '```'
    pulumi preview --stack "$stack" --refresh --diff --non-interactive 2>&1 | head -c 60000
    echo '```'
  } >>"$summary"
else
  echo "drift=false" >>"$out"
  echo "No drift on $stack." >>"$summary"
fi
