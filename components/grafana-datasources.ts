// The data sources Grafana is given: Prometheus, Loki, Jaeger and Alertmanager under the fixed uids
// dashboards refer to, linked to each other for the metric → trace → log round trip.

import { datasourceUids } from "../catalogue";

/** A Grafana data source as this stack registers it. */
export interface DataSourceSpec {
    readonly uid: string;
    readonly name: string;
    readonly type: string;
    readonly url: string;
    readonly isDefault: boolean;
    readonly jsonData: Record<string, unknown>;
}

export interface DataSourceUrls {
    readonly prometheus: string;
    readonly loki: string;
    readonly jaeger: string;
    readonly alertmanager: string;
}

/**
 * The data sources, under fixed uids that dashboards refer to, linked to each other so that an SRE goes
 * from a metric to its trace (exemplars), from a log line to its trace (derived field on trace_id) and
 * from a span to its logs (tracesToLogsV2) or its service's metrics (span metrics). Pure.
 */
export function grafanaDataSources(args: {
    urls: DataSourceUrls;
    traceLogNamespaces: readonly string[];
    scrapeInterval: string;
}): DataSourceSpec[] {
    const { urls } = args;
    const namespaces = args.traceLogNamespaces.join("|");
    return [
        {
            uid: datasourceUids.prometheus,
            name: "Prometheus",
            type: "prometheus",
            url: urls.prometheus,
            isDefault: true,
            jsonData: {
                httpMethod: "POST",
                timeInterval: args.scrapeInterval,
                // Exemplars carry the trace_id of a sample's request: a dot on a latency panel opens it.
                exemplarTraceIdDestinations: [{ name: "trace_id", datasourceUid: datasourceUids.jaeger }],
            },
        },
        {
            uid: datasourceUids.loki,
            name: "Loki",
            type: "loki",
            url: urls.loki,
            isDefault: false,
            jsonData: {
                maxLines: 1000,
                // trace_id is structured metadata (components/alloy.ts): matched by name, not by a regex on the line.
                derivedFields: [
                    {
                        name: "TraceID",
                        matcherType: "label",
                        matcherRegex: "trace_id",
                        datasourceUid: datasourceUids.jaeger,
                        url: "${__value.raw}",
                        urlDisplayLabel: "View trace",
                    },
                ],
            },
        },
        {
            uid: datasourceUids.jaeger,
            name: "Jaeger",
            type: "jaeger",
            url: urls.jaeger,
            isDefault: false,
            jsonData: {
                tracesToLogsV2: {
                    datasourceUid: datasourceUids.loki,
                    spanStartTimeShift: "-5m",
                    spanEndTimeShift: "5m",
                    customQuery: true,
                    query: `{namespace=~"${namespaces}"} | trace_id="\${__trace.traceId}"`,
                },
                // Span metrics (components/jaeger.ts) per service, from the span's service.name.
                tracesToMetrics: {
                    datasourceUid: datasourceUids.prometheus,
                    spanStartTimeShift: "-5m",
                    spanEndTimeShift: "5m",
                    tags: [{ key: "service.name", value: "service_name" }],
                    queries: [
                        { name: "Request rate", query: "sum(rate(traces_span_metrics_calls_total{$__tags}[5m]))" },
                    ],
                },
                nodeGraph: { enabled: true },
                spanBar: { type: "Duration" },
            },
        },
        {
            // kube-prometheus-stack's Alertmanager, the one Prometheus sends STELLA's alerts to: Grafana's
            // Alerting pages list its alerts and silences (silence a page from Grafana, no second login).
            uid: datasourceUids.alertmanager,
            name: "Alertmanager",
            type: "alertmanager",
            url: urls.alertmanager,
            isDefault: false,
            jsonData: {
                implementation: "prometheus",
                // Grafana's own rules stay in Grafana: this Alertmanager routes the stack's pages only.
                handleGrafanaManagedAlerts: false,
            },
        },
    ];
}
