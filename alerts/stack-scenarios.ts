// The fault scenarios of the monitoring stack's own rules (stack-rules.ts): Loki refusing logs, Alloy
// missing or dropping logs, Jaeger receiving no spans or failing to store them.

import { scenario, type Scenario } from "./scenario";
import { labels } from "./simulator";

export const stackScenarios: readonly Scenario[] = [
    scenario({
        name: "Loki push 5xx",
        description: "Half of Alloy's log pushes to Loki fail with a 500.",
        faultMinutes: 15,
        fault: { lokiErrorShare: 0.5 },
        fires: [
            {
                // The 500 series appears at the onset; its second sample takes the 5m ratio past 5%
                // (307.5 failed pushes in 6,000) at +30 s; `for: 10m` more.
                alertname: "LokiIngestionFailing",
                firingAt: 10.5,
                labels: { severity: "warning", service: "loki" },
                summary: "Loki is refusing logs",
                description: "50% of log pushes to Loki fail (5xx, or 429 rate-limited): logs are being lost.",
            },
        ],
        silentAt: [-1, 0, 10, 10.25, 10.5, 15],
    }),
    scenario({
        name: "Loki streams near the limit",
        description:
            "A deploy puts a per-user value in a log label: Loki's active streams jump far past every stack's budget.",
        faultMinutes: 20,
        // Plain promtool input: the simulator does not model Loki's streams. The ingester's gauge reads
        // 200000 from the onset on, for the 80 scrapes of the 20 minutes.
        fault: {},
        input: [
            {
                series: 'loki_ingester_memory_streams{job="loki", namespace="monitoring", pod="loki-0", tenant="fake"}',
                values: "200000x80",
            },
        ],
        fires: [
            {
                // The gauge is above 80% of the per-ingester limit (5000, 20000, 75000) from the onset
                // sample; `for: 15m` more.
                alertname: "LokiStreamsNearLimit",
                firingAt: 15,
                labels: { severity: "warning", service: "loki", tenant: "fake" },
                summary: "Loki is near its active stream limit",
                description:
                    "A Loki ingester holds over 80% of the active streams it may (loki.limits.maxGlobalStreams) for tenant fake: at the limit it refuses new streams and their logs are lost. A label with a value per user or request is the usual cause.",
            },
        ],
        silentAt: [-1, 0, 14.75, 15, 20],
    }),
    scenario({
        name: "Alloy missing on a node",
        description: "Alloy runs on 2 of 3 nodes.",
        faultMinutes: 20,
        fault: { alloyReady: 2 },
        fires: [
            {
                alertname: "AlloyNotRunning",
                firingAt: 15,
                labels: { severity: "warning", service: "alloy", ...labels.alloy },
                summary: "Alloy is not running on every node",
                description: "1 node(s) have no ready Alloy pod: their pods' logs are not shipped.",
            },
        ],
        silentAt: [-1, 0, 14.75, 15, 20],
    }),
    scenario({
        name: "Alloy dropping logs",
        description: "Alloy drops 5 log lines per second that Loki did not take.",
        faultMinutes: 12,
        fault: { alloyDroppedPerSecond: 5 },
        fires: [
            {
                // The dropped-entries series appears with the first drop, at the onset; its second sample
                // gives the 10m rate, > 0 at +15 s; `for: 10m` more.
                alertname: "AlloyDroppingLogs",
                firingAt: 10.25,
                labels: { severity: "warning", service: "alloy", pod: "alloy-7xk2p" },
                summary: "Alloy is dropping logs",
                description: "Alloy pod alloy-7xk2p drops 5 log lines per second that Loki did not take.",
            },
        ],
        silentAt: [-1, 0, 10, 10.25, 12],
    }),
    scenario({
        name: "Jaeger receives no spans",
        description: "Jaeger's collector accepts no span while the backend keeps serving traffic.",
        faultMinutes: 35,
        fault: { spansAcceptedPerSecond: 0 },
        fires: [
            {
                // The 15m rate reaches 0 at +14.5 minutes (left-open window, as for the agents above);
                // `for: 15m` more.
                alertname: "JaegerNotReceivingSpans",
                firingAt: 29.5,
                labels: { severity: "warning", service: "jaeger" },
                summary: "Jaeger receives no spans",
                description:
                    "The backend serves requests but Jaeger has accepted no span for 30 minutes (a 15-minute rate at zero for 15 minutes): tracing is broken between the apps and Jaeger.",
            },
        ],
        silentAt: [-1, 0, 15, 29.25, 29.5, 35],
    }),
    scenario({
        name: "Jaeger cannot store spans",
        description: "Jaeger fails to write 10 spans per second to its storage.",
        faultMinutes: 12,
        // Plain promtool input: the simulator does not model Jaeger's storage. The failure counter
        // exists from the first failure on (150 spans in the onset's 15 s), then grows by 150 a scrape
        // for the 48 scrapes of the 12 minutes.
        fault: {},
        input: [
            {
                series: 'otelcol_exporter_send_failed_spans_total{job="jaeger", exporter="jaeger_storage"}',
                values: "150+150x48",
            },
        ],
        fires: [
            {
                // As for Alloy's drops: the series' second sample gives the rate.
                alertname: "JaegerStorageWriteFailing",
                firingAt: 10.25,
                labels: { severity: "warning", service: "jaeger" },
                summary: "Jaeger cannot store spans",
                description: "Jaeger fails to write 10 spans per second to its storage.",
            },
        ],
        silentAt: [-1, 0, 10, 10.25, 12],
    }),
];
