// What Loki's config implies for its ingesters, derived once from the config: the chart's values,
// the stream-limit alert and the dashboard that draws the limit all read the same numbers.

import type { StackConfig } from "./parse";

/**
 * Copies of each stream: writes need a quorum of the factor, so 3 copies survive the loss of one pod;
 * with fewer than three replicas a factor of 2 would block writes whenever one pod is down.
 */
export function lokiReplicationFactor(loki: StackConfig["loki"]): number {
    return (loki.mode === "distributed" ? loki.distributed.ingesters : loki.replicas) >= 3 ? 3 : 1;
}

/**
 * The streams one ingester holds before it refuses new ones: Loki turns max_global_streams_per_user
 * into a local limit of global / ingesters x replication factor (pkg/ingester/limiter.go). With an
 * ingester down the real limit rises, so this is the earliest it can bite.
 */
export function lokiIngesterStreamLimit(loki: StackConfig["loki"]): number {
    const ingesters = loki.mode === "distributed" ? loki.distributed.ingesters : loki.replicas;
    return Math.floor((loki.limits.maxGlobalStreams / ingesters) * lokiReplicationFactor(loki));
}
