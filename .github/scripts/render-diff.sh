#!/usr/bin/env bash
# The pull request's rendered change, as Markdown for the job summary: which rendered files differ
# from the base branch's render, then their unified diff, cut at a byte budget so that the summary
# stays readable (and under GitHub's 1 MiB per step); the full diff is in the rendered-stacks artifact.
#   render-diff.sh <base render dir> <head render dir> [max bytes of diff, default 60000]
set -euo pipefail
base="${1:?usage: render-diff.sh <base dir> <head dir> [max bytes]}"
head="${2:?usage: render-diff.sh <base dir> <head dir> [max bytes]}"
budget="${3:-60000}"

echo "### Rendered files changed by this pull request"
echo
# render's own marker lists the files it wrote: not content.
if diff -rq -x .stella-render "$base" "$head" >/dev/null; then
  echo "None: every stack renders exactly as on the base branch."
  exit 0
fi
diff -rq -x .stella-render "$base" "$head" | sed -e "s|$base/||g" -e "s|$head/||g" | sed 's/^/- /' || true
echo
full=$(mktemp)
trap 'rm -f "$full"' EXIT
diff -ru -x .stella-render "$base" "$head" |
  sed -e "s|$base/||g" -e "s|$head/||g" -e "s|^diff -ru -x .stella-render |diff |" >"$full" || true
size=$(wc -c <"$full")
echo '<details><summary>Content diff</summary>'
echo
echo '```diff'
head -c "$budget" "$full"
# head -c may cut a line; end the block on its own line.
[ "$size" -le "$budget" ] || echo
echo '```'
echo
echo '</details>'
if [ "$size" -gt "$budget" ]; then
  echo
  echo "The diff is cut at $budget of $size bytes: the artifact rendered-stacks holds every file."
fi
