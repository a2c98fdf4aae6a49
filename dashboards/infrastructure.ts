// "STELLA Infrastructure" (docs/design.md): pod resource usage
// (cAdvisor), restarts (kube-state-metrics), database connections (docs/metrics.md) and node
// utilisation (node-exporter).

import { type DashboardContext, type DashboardModel } from "./model";
import { labelVariable, namespaceVariable, stellaDashboard, timeSeriesPanel } from "./panels";
import { dashboardUids, infrastructurePanels } from "../catalogue";

export function infrastructureQueries() {
    const pods = `namespace="$namespace", pod=~"$pod", container!=""`;
    return {
        podCpu: `sum by (pod) (rate(container_cpu_usage_seconds_total{${pods}}[$__rate_interval]))`,
        podMemory: `sum by (pod) (container_memory_working_set_bytes{${pods}})`,
        podRestarts: `sum by (pod, container) (increase(kube_pod_container_status_restarts_total{namespace="$namespace", pod=~"$pod"}[1h]))`,
        databaseConnections: `sum by (state) (stella_database_connections{namespace="$namespace"})`,
        nodeCpu: `1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))`,
        nodeMemory:
            "1 - sum by (instance) (node_memory_MemAvailable_bytes) / sum by (instance) (node_memory_MemTotal_bytes)",
        nodeDisk: `1 - sum by (instance) (node_filesystem_avail_bytes{mountpoint="/", fstype!="tmpfs"}) / sum by (instance) (node_filesystem_size_bytes{mountpoint="/", fstype!="tmpfs"})`,
    };
}

export function infrastructureDashboard(context: DashboardContext): DashboardModel {
    const queries = infrastructureQueries();
    const nodeUtilisation = (id: number, title: string, expr: string) =>
        timeSeriesPanel({ id, title, expr, legend: "{{instance}}", unit: "percentunit", max: 1, width: 8 });
    return stellaDashboard(
        dashboardUids.infrastructure,
        "STELLA Infrastructure",
        "Pods, database connections and nodes under STELLA (and, with namespace=monitoring, under this stack).",
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
        .build() as unknown as DashboardModel;
}
