// Alerts on the monitoring stack itself, where kube-prometheus-stack's own rules stop: Loki refusing
// logs, Alloy missing from nodes or dropping logs, Jaeger receiving no spans or failing to store them.

import { alertRule, selector, type RuleGroup, type RulesContext } from "./rule-builders";
import { infrastructurePanels, logsTracesPanels, lokiStreamWarningShare, number } from "../catalogue";

export function monitoringStackRuleGroup(context: RulesContext): RuleGroup {
    const namespace = context.monitoringNamespace;
    const push = selector({ namespace, route: "~loki_api_v1_push|otlp_v1_logs" });
    const pushErrors = selector({ namespace, route: "~loki_api_v1_push|otlp_v1_logs", status_code: "~5..|429" });
    const alloy = selector({ namespace, daemonset: "alloy" });
    // The collector's own metrics gained a _total suffix with newer exporters; match both spellings.
    const accepted = selector({ __name__: "~otelcol_receiver_accepted_spans(_total)?", job: "jaeger" });
    const sendFailed = selector({ __name__: "~otelcol_exporter_send_failed_spans(_total)?", job: "jaeger" });
    return {
        name: "stella-monitoring-stack",
        rules: [
            alertRule(context, {
                name: "LokiIngestionFailing",
                expr: `sum(rate(loki_request_duration_seconds_count${pushErrors}[5m])) / sum(rate(loki_request_duration_seconds_count${push}[5m])) > 0.05`,
                for: "10m",
                severity: "warning",
                service: "loki",
                summary: "Loki is refusing logs",
                description:
                    "{{ $value | humanizePercentage }} of log pushes to Loki fail (5xx, or 429 rate-limited): logs are being lost.",
                panel: { dashboard: "logsTraces", panelId: logsTracesPanels.volume },
            }),
            alertRule(context, {
                name: "LokiStreamsNearLimit",
                // Before loki.limits.maxGlobalStreams bites: past it the ingester refuses new streams
                // (reason stream_limit), so a new pod's or a leaked label's logs are lost.
                expr: `max by (tenant) (loki_ingester_memory_streams${selector({ namespace })}) / ${context.lokiIngesterStreamLimit} > ${number(lokiStreamWarningShare)}`,
                for: "15m",
                severity: "warning",
                service: "loki",
                summary: "Loki is near its active stream limit",
                description:
                    "A Loki ingester holds over 80% of the active streams it may (loki.limits.maxGlobalStreams) for tenant {{ $labels.tenant }}: at the limit it refuses new streams and their logs are lost. A label with a value per user or request is the usual cause.",
                panel: { dashboard: "infrastructure", panelId: infrastructurePanels.lokiIngesterStreams },
            }),
            alertRule(context, {
                name: "AlloyNotRunning",
                expr: `kube_daemonset_status_desired_number_scheduled${alloy} - kube_daemonset_status_number_ready${alloy} > 0`,
                for: "15m",
                severity: "warning",
                service: "alloy",
                summary: "Alloy is not running on every node",
                description: "{{ $value }} node(s) have no ready Alloy pod: their pods' logs are not shipped.",
                panel: { dashboard: "infrastructure", panelId: infrastructurePanels.podCpu, variables: { namespace } },
            }),
            alertRule(context, {
                name: "AlloyDroppingLogs",
                expr: `sum by (pod) (rate(loki_write_dropped_entries_total${selector({ namespace })}[10m])) > 0`,
                for: "10m",
                severity: "warning",
                service: "alloy",
                summary: "Alloy is dropping logs",
                description:
                    "Alloy pod {{ $labels.pod }} drops {{ $value | humanize }} log lines per second that Loki did not take.",
                panel: { dashboard: "logsTraces", panelId: logsTracesPanels.volume },
            }),
            alertRule(context, {
                name: "JaegerNotReceivingSpans",
                // Only while the backend serves traffic: an idle platform sends no spans either.
                expr: `(sum(rate(${accepted}[15m])) or vector(0)) == 0 and on () (sum(rate(${context.stella.metrics.httpRequestsTotal}[15m])) > 0)`,
                for: "15m",
                severity: "warning",
                service: "jaeger",
                summary: "Jaeger receives no spans",
                description:
                    "The backend serves requests but Jaeger has accepted no span for 30 minutes (a 15-minute rate at zero for 15 minutes): tracing is broken between the apps and Jaeger.",
                panel: { dashboard: "logsTraces", panelId: logsTracesPanels.traces },
            }),
            alertRule(context, {
                name: "JaegerStorageWriteFailing",
                expr: `sum(rate(${sendFailed}[5m])) > 0`,
                for: "10m",
                severity: "warning",
                service: "jaeger",
                summary: "Jaeger cannot store spans",
                description: "Jaeger fails to write {{ $value | humanize }} spans per second to its storage.",
                panel: { dashboard: "logsTraces", panelId: logsTracesPanels.traces },
            }),
        ],
    };
}
