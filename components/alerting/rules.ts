// STELLA's Prometheus rules: the seed's four alerts (../shared/seed-monitoring.md, "Alert Rules"), with
// the seed's mistakes fixed. They reach Prometheus through kube-prometheus-stack's
// `additionalPrometheusRulesMap`, which needs no ordering against the chart's CRDs.

export interface Rule {
    readonly alert?: string;
    readonly record?: string;
    readonly expr: string;
    readonly for?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
}

export interface RuleGroup {
    readonly name: string;
    readonly interval?: string;
    readonly rules: readonly Rule[];
}

export interface StellaRulesArgs {
    /** The namespace STELLA runs in (ai-agents). */
    readonly stellaNamespace: string;
}

/** Collapses the indentation of a multi-line PromQL expression into one readable line. */
function promql(text: string): string {
    return text.replace(/\s+/g, " ").trim();
}

/** The seed's alerts, same names, severities, thresholds and `for`. */
export function stellaRuleGroups(args: StellaRulesArgs): RuleGroup[] {
    const namespace = JSON.stringify(args.stellaNamespace);
    return [
        {
            name: "stella-alerts",
            rules: [
                {
                    alert: "HighErrorRate",
                    // No traffic gives 0/0, no result, so nothing fires on an idle backend.
                    expr: promql(`
                        sum(rate(stella_http_requests_total{status=~"5.."}[5m]))
                        / sum(rate(stella_http_requests_total[5m])) > 0.05`),
                    for: "5m",
                    labels: { severity: "critical", service: "stella-backend" },
                    annotations: {
                        summary: "High error rate detected",
                        description:
                            "{{ $value | humanizePercentage }} of backend requests failed with a 5xx over 5 minutes (threshold 5%).",
                    },
                },
                {
                    alert: "HighLatency",
                    // The seed took a quantile per series; the buckets must be summed by le first, or
                    // one slow pod among many (or many fast ones) mislead it.
                    expr: "histogram_quantile(0.95, sum by (le) (rate(stella_http_request_duration_bucket[5m]))) > 2",
                    for: "5m",
                    labels: { severity: "warning", service: "stella-backend" },
                    annotations: {
                        summary: "High latency detected",
                        description: "Backend p95 latency is {{ $value | humanizeDuration }} (threshold 2s).",
                    },
                },
                {
                    alert: "HighSessionCount",
                    // Summed: each backend replica reports the sessions it holds.
                    expr: "sum(stella_sessions_active) > 100",
                    for: "10m",
                    labels: { severity: "warning", service: "stella-backend" },
                    annotations: {
                        summary: "High number of active sessions",
                        description: "{{ $value }} sessions are active (threshold 100).",
                    },
                },
                {
                    alert: "AgentPodFailures",
                    expr: promql(`
                        increase(kube_pod_container_status_restarts_total{namespace=${namespace}, container="agent"}[1h]) > 5`),
                    for: "5m",
                    labels: { severity: "critical", service: "stella-agent" },
                    annotations: {
                        summary: "Agent pods restarting frequently",
                        description:
                            'Pod {{ $labels.pod }} restarted {{ $value | printf "%.0f" }} times in the last hour (threshold 5).',
                    },
                },
            ],
        },
    ];
}
