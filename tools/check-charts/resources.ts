// What the rendered workloads request: per-container warnings for missing requests or limits, and each
// pod's footprint (operator-managed pods included, with their config-reloader sidecar).

import { memoryBytes } from "../../quantities";
import { describe, get, scalarText, workloadKinds, type Manifest } from "./manifests";

/** CPU in millicores. */
function milliCpu(quantity: unknown): number | undefined {
    if (quantity === undefined || quantity === null) return undefined;
    const text = scalarText(quantity) ?? JSON.stringify(quantity);
    const match = /^([0-9.]+(?:e[+-]?[0-9]+)?)(m?)$/.exec(text);
    if (match === null) throw new Error(`not a CPU quantity: ${text}`);
    return Number(match[1]) * (match[2] === "m" ? 1 : 1000);
}

/** Memory in bytes. */
function bytes(quantity: unknown): number | undefined {
    if (quantity === undefined || quantity === null) return undefined;
    return memoryBytes(scalarText(quantity) ?? JSON.stringify(quantity));
}

export const formatCpu = (milli: number) => `${(milli / 1000).toFixed(2)} CPU`;
export const formatMemory = (value: number) => `${(value / 1024 ** 3).toFixed(2)} GiB`;

export interface Footprint {
    milliCpu: number;
    bytes: number;
}
export interface FootprintLine extends Footprint {
    readonly what: string;
}
interface Container {
    readonly name: string;
    readonly resources?: unknown;
    readonly restartPolicy?: string;
}

/** A pod's effective requests: its containers plus sidecar init containers, or its largest init container. */
function podRequests(containers: readonly Container[], initContainers: readonly Container[]): Footprint {
    const request = (container: Container) => ({
        milliCpu: milliCpu(get(container.resources, "requests", "cpu")) ?? 0,
        bytes: bytes(get(container.resources, "requests", "memory")) ?? 0,
    });
    const running = [...containers, ...initContainers.filter((container) => container.restartPolicy === "Always")].map(
        request,
    );
    const sum = running.reduce(
        (total, each) => ({ milliCpu: total.milliCpu + each.milliCpu, bytes: total.bytes + each.bytes }),
        { milliCpu: 0, bytes: 0 },
    );
    for (const init of initContainers.filter((container) => container.restartPolicy !== "Always").map(request)) {
        sum.milliCpu = Math.max(sum.milliCpu, init.milliCpu);
        sum.bytes = Math.max(sum.bytes, init.bytes);
    }
    return sum;
}

/** Containers without a CPU request, a memory request or a memory limit. */
function missingResources(container: Container): string[] {
    const missing: string[] = [];
    if (get(container.resources, "requests", "cpu") === undefined) missing.push("cpu request");
    if (get(container.resources, "requests", "memory") === undefined) missing.push("memory request");
    if (get(container.resources, "limits", "memory") === undefined) missing.push("memory limit");
    return missing;
}

/** The config-reloader sidecar's requests, from the Prometheus Operator's flags. */
function configReloaderRequests(manifests: readonly Manifest[]): Footprint {
    const footprint = { milliCpu: 0, bytes: 0 };
    for (const manifest of manifests.filter((each) => each.kind === "Deployment")) {
        const containers = (get(manifest, "spec", "template", "spec", "containers") as Container[] | undefined) ?? [];
        for (const arg of containers.flatMap((container) => (get(container, "args") as string[] | undefined) ?? [])) {
            const [flag, value] = arg.split("=", 2);
            if (flag === "--config-reloader-cpu-request") footprint.milliCpu = milliCpu(value) ?? 0;
            if (flag === "--config-reloader-memory-request") footprint.bytes = bytes(value) ?? 0;
        }
    }
    return footprint;
}

/** Per-container warnings and the request footprint of a release's pods. */
export function inspectResources(
    chart: string,
    manifests: readonly Manifest[],
): { warnings: string[]; footprint: FootprintLine[] } {
    const warnings: string[] = [];
    const footprint: FootprintLine[] = [];
    for (const manifest of manifests.filter((each) => workloadKinds.has(each.kind))) {
        const pod = get(manifest, "spec", "template", "spec");
        const containers = (get(pod, "containers") as Container[] | undefined) ?? [];
        const initContainers = (get(pod, "initContainers") as Container[] | undefined) ?? [];
        for (const [container, init] of [
            ...containers.map((c) => [c, false] as const),
            ...initContainers.map((c) => [c, true] as const),
        ]) {
            const missing = missingResources(container);
            if (missing.length > 0)
                warnings.push(
                    `${chart} ${describe(manifest)} ${init ? "init " : ""}container ${container.name}: no ${missing.join(", ")}`,
                );
        }
        const replicas =
            manifest.kind === "DaemonSet" ? 1 : ((get(manifest, "spec", "replicas") as number | undefined) ?? 1);
        const each = podRequests(containers, initContainers);
        footprint.push({
            what: `${describe(manifest)} ×${replicas}${manifest.kind === "DaemonSet" ? " (per node)" : ""}`,
            milliCpu: each.milliCpu * replicas,
            bytes: each.bytes * replicas,
        });
    }
    // Pods the Prometheus Operator creates from the Prometheus and Alertmanager resources.
    const reloader = configReloaderRequests(manifests);
    for (const manifest of manifests.filter(
        (each) =>
            each.apiVersion === "monitoring.coreos.com/v1" &&
            (each.kind === "Prometheus" || each.kind === "Alertmanager"),
    )) {
        const resources = get(manifest, "spec", "resources");
        const missing = missingResources({ name: manifest.kind.toLowerCase(), resources });
        if (missing.length > 0)
            warnings.push(
                `${chart} ${describe(manifest)} (operator-managed) container ${manifest.kind.toLowerCase()}: no ${missing.join(", ")}`,
            );
        const replicas = (get(manifest, "spec", "replicas") as number | undefined) ?? 1;
        footprint.push({
            what: `${describe(manifest)} ×${replicas} (operator-managed, with config-reloader)`,
            milliCpu: ((milliCpu(get(resources, "requests", "cpu")) ?? 0) + reloader.milliCpu) * replicas,
            bytes: ((bytes(get(resources, "requests", "memory")) ?? 0) + reloader.bytes) * replicas,
        });
    }
    return { warnings, footprint };
}
