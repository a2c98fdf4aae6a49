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
    const series = timeSeriesPanel;
    return stellaDashboard(
        dashboardUids.infrastructure,
        "STELLA Infrastructure",
        "Pods, database connections and nodes under STELLA (and, with namespace=monitoring, under this stack).",
        ".*",
    )
        .withVariable(namespaceVariable(context.stellaNamespace))
        .withVariable(labelVariable("pod", "Pod", 'label_values(kube_pod_info{namespace="$namespace"}, pod)'))
        .withPanel(series(infrastructurePanels.podCpu, "Pod CPU", queries.podCpu, "{{pod}}", "short", 0, 0))
        .withPanel(
            series(
                infrastructurePanels.podMemory,
                "Pod memory (working set)",
                queries.podMemory,
                "{{pod}}",
                "bytes",
                12,
                0,
            ),
        )
        .withPanel(
            series(
                infrastructurePanels.podRestarts,
                "Container restarts in the last hour",
                queries.podRestarts,
                "{{pod}}/{{container}}",
                "short",
                0,
                8,
            ),
        )
        .withPanel(
            series(
                infrastructurePanels.databaseConnections,
                "Database connections",
                queries.databaseConnections,
                "{{state}}",
                "short",
                12,
                8,
            ),
        )
        .withPanel(
            series(
                infrastructurePanels.nodeCpu,
                "Node CPU utilisation",
                queries.nodeCpu,
                "{{instance}}",
                "percentunit",
                0,
                16,
                8,
            ).max(1),
        )
        .withPanel(
            series(
                infrastructurePanels.nodeMemory,
                "Node memory utilisation",
                queries.nodeMemory,
                "{{instance}}",
                "percentunit",
                8,
                16,
                8,
            ).max(1),
        )
        .withPanel(
            series(
                infrastructurePanels.nodeDisk,
                "Node root disk utilisation",
                queries.nodeDisk,
                "{{instance}}",
                "percentunit",
                16,
                16,
                8,
            ).max(1),
        )
        .build() as unknown as DashboardModel;
}
