#!/usr/bin/env bash
# Renders every stack offline into $1, with stand-in secrets for the stacks that require them.
set -euo pipefail
out="${1:?usage: render-all.sh <out-dir>}"
secrets=(
  --secret alerting.slackWebhookUrl=https://hooks.slack.com/services/T000/B000/placeholder
  --secret alerting.pagerdutyRoutingKey=placeholderplaceholderplaceholder
  --secret alerting.heartbeatUrl=https://hc-ping.example.com/placeholder
  --secret loki.objectStorage.secretAccessKey=placeholder
  --secret jaeger.storage.password=placeholder
)
npm run --silent render -- --stack dev --out "$out"
for stack in staging prod; do
  npm run --silent render -- --stack "$stack" --out "$out" "${secrets[@]}"
done
