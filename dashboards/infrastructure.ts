// "STELLA Infrastructure" (docs/design.md): pod resource usage
// (cAdvisor), restarts (kube-state-metrics), database connections (docs/metrics.md), node
// utilisation (node-exporter), and the cardinality guards: STELLA's samples per scrape against the
// PodMonitors' limits, and Loki's streams against its budget.

import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { type DashboardContext, type DashboardModel } from "./model";
import {
    labelVariable,
    logQuery,
    namespaceVariable,
    promQuery,
    size,
    stellaDashboard,
    timeSeriesPanel,
} from "./panels";
import {
    dashboardUids,
    datasources,
    infrastructurePanels,
    lokiStreamWarningShare,
    number,
    sampleLimitWarningShare,
    stellaJobs,
} from "../catalogue";

/** STELLA's scrape targets, with the key of their limits under stella.scrapeLimits. */
const scrapeTargets = [
    { job: stellaJobs.backend, key: "backend" },
    { job: stellaJobs.agents, key: "agents" },
] as const;

export function infrastructureQueries(context: DashboardContext) {
    const pods = `namespace="$namespace", pod=~"$pod", container!=""`;
    const stellaScrapes = `scrape_samples_post_metric_relabeling{job=~"${scrapeTargets.map((t) => t.job).join("|")}", namespace="$namespace"}`;
    return {
        podCpu: `sum by (pod) (rate(container_cpu_usage_seconds_total{${pods}}[$__rate_interval]))`,
        podMemory: `sum by (pod) (container_memory_working_set_bytes{${pods}})`,
        podRestarts: `sum by (pod, container) (increase(kube_pod_container_status_restarts_total{namespace="$namespace", pod=~"$pod"}[1h]))`,
        databaseConnections: `sum by (state) (stella_database_connections{namespace="$namespace"})`,
        nodeCpu: `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))`,
        nodeMemory:
            "1 - sum by (instance) (node_memory_MemAvailable_bytes) / sum by (instance) (node_memory_MemTotal_bytes)",
        nodeDisk: `1 - sum by (instance) (node_filesystem_avail_bytes{mountpoint="/", fstype!="tmpfs"}) / sum by (instance) (node_filesystem_size_bytes{mountpoint="/", fstype!="tmpfs"})`,
        // Each pod's samples over its own job's limit, as StellaScrapeSamplesNearLimit divides them:
        // the jobs' limits differ, and a panel draws one set of threshold lines.
        scrapeSampleShare: scrapeTargets
            .map(
                (target) =>
                    `scrape_samples_post_metric_relabeling{job="${target.job}", namespace="$namespace"} / ${context.scrapeLimits[target.key].samples}`,
            )
            .join(" or "),
        samplesPerJob: `sum by (job) (${stellaScrapes})`,
        largestScrapePerJob: `max by (job) (${stellaScrapes})`,
        // Loki has no metric of the streams per label value: count the streams that logged in the
        // interval, one per set of the labels Alloy promotes. The inner count keeps structured
        // metadata (session_id, trace_id) from splitting a stream into a series per value.
        logStreamsPerApp: `count by (app) (count by (${context.logLabels.join(", ")}) (count_over_time({namespace=~".+"} [$__auto])))`,
        lokiIngesterStreams: `loki_ingester_memory_streams{namespace="${context.monitoringNamespace}"}`,
    };
}

/** Samples per scrape and log streams over time, against the limits that reject them. */
function cardinalityPanels(context: DashboardContext, queries: ReturnType<typeof infrastructureQueries>) {
    const limits = scrapeTargets
        .map((t) => `${t.job} ${context.scrapeLimits[t.key].samples} (stella.scrapeLimits.${t.key}.samples)`)
        .join(", ");
    const streamLimit = context.lokiIngesterStreamLimit;
    return {
        scrapeSampleShare: timeSeriesPanel({
            id: infrastructurePanels.scrapeSampleShare,
            title: "Samples per scrape, share of the job's limit",
            description:
                `Each STELLA pod's samples per scrape (after metric relabeling) over its job's sample limit: ${limits}. ` +
                `Orange from ${number(sampleLimitWarningShare * 100)}% (StellaScrapeSamplesNearLimit); at 100% Prometheus rejects the pod's scrapes whole (StellaScrapeRejected).`,
            expr: queries.scrapeSampleShare,
            legend: "{{job}} {{pod}}",
            unit: "percentunit",
            alertThreshold: 1,
            warningThreshold: sampleLimitWarningShare,
        }),
        samplesPerJob: timeSeriesPanel({
            id: infrastructurePanels.samplesPerJob,
            title: "Series per STELLA job",
            description:
                "The samples each STELLA job's pods expose per scrape, summed over its pods (the series it adds to Prometheus), and its largest pod's, the one the limit stops first.",
            expr: queries.samplesPerJob,
            legend: "{{job}}: all pods",
            unit: "short",
        }).withTarget(promQuery(queries.largestScrapePerJob, "{{job}}: largest pod", "B")),
        logStreamsPerApp: new timeseries.PanelBuilder()
            .id(infrastructurePanels.logStreamsPerApp)
            .title("Log streams per app (all namespaces)")
            .description(
                `The log streams that logged in each interval, per app label: one stream per set of the labels Alloy promotes (${context.logLabels.join(", ")}; alloy.labels). ` +
                    "Loki counts its active streams only per tenant (next panel); a rise here names the app whose labels leak.",
            )
            .datasource(datasources.loki)
            .withTarget(logQuery(queries.logStreamsPerApp).legendFormat("{{app}}"))
            .unit("short")
            .min(0)
            .gridPos(size(12, 8)),
        lokiIngesterStreams: timeSeriesPanel({
            id: infrastructurePanels.lokiIngesterStreams,
            title: "Loki active streams per ingester",
            description:
                `The streams each Loki ingester holds per tenant, against the ${streamLimit} one ingester may hold (loki.limits.maxGlobalStreams over the ingesters, times the replication factor). ` +
                `Orange from ${number(lokiStreamWarningShare * 100)}% (LokiStreamsNearLimit); at the limit Loki refuses new streams and their logs are lost.`,
            expr: queries.lokiIngesterStreams,
            legend: "{{pod}} {{tenant}}",
            unit: "short",
            alertThreshold: streamLimit,
            warningThreshold: Math.floor(streamLimit * lokiStreamWarningShare),
        }),
    };
}

export function infrastructureDashboard(context: DashboardContext): DashboardModel {
    const queries = infrastructureQueries(context);
    const cardinality = cardinalityPanels(context, queries);
    const nodeUtilisation = (id: number, title: string, expr: string) =>
        timeSeriesPanel({ id, title, expr, legend: "{{instance}}", unit: "percentunit", max: 1, width: 8 });
    return stellaDashboard(
        dashboardUids.infrastructure,
        "STELLA Infrastructure",
        "Pods, database connections and nodes under STELLA (and, with namespace=monitoring, under this stack), and the metrics and log streams STELLA adds against their limits.",
        ".*",
    )
        .withVariable(namespaceVariable(context.stellaNamespace))
        .withVariable(labelVariable("pod", "Pod", 'label_values(kube_pod_info{namespace="$namespace"}, pod)'))
        .withPanel(
            timeSeriesPanel({
                id: infrastructurePanels.podCpu,
                title: "Pod CPU",
                expr: queries.podCpu,
                legend: "{{pod}}",
                unit: "short",
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: infrastructurePanels.podMemory,
                title: "Pod memory (working set)",
                expr: queries.podMemory,
                legend: "{{pod}}",
                unit: "bytes",
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: infrastructurePanels.podRestarts,
                title: "Container restarts in the last hour",
                expr: queries.podRestarts,
                legend: "{{pod}}/{{container}}",
                unit: "short",
            }),
        )
        .withPanel(
            timeSeriesPanel({
                id: infrastructurePanels.databaseConnections,
                title: "Database connections",
                expr: queries.databaseConnections,
                legend: "{{state}}",
                unit: "short",
            }),
        )
        .withPanel(nodeUtilisation(infrastructurePanels.nodeCpu, "Node CPU utilisation", queries.nodeCpu))
        .withPanel(nodeUtilisation(infrastructurePanels.nodeMemory, "Node memory utilisation", queries.nodeMemory))
        .withPanel(nodeUtilisation(infrastructurePanels.nodeDisk, "Node root disk utilisation", queries.nodeDisk))
        .withPanel(cardinality.scrapeSampleShare)
        .withPanel(cardinality.samplesPerJob)
        .withPanel(cardinality.logStreamsPerApp)
        .withPanel(cardinality.lokiIngesterStreams)
        .build() as unknown as DashboardModel;
}
