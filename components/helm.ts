// Shared Helm plumbing: the deep merge behind every component's `extraValues` escape hatch, and the
// release options every chart gets (pinned version, explicit name, atomic, cleanup on failure).

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Resources } from "../config";
import { charts, type ChartKey } from "../versions";

/** A plain Helm values object. */
export type HelmValues = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !pulumi.Output.isInstance(value);
}

/**
 * Deep-merges `override` into `base` the way Helm merges values files: maps merge key by key, while
 * lists and scalars from `override` replace what `base` had. Neither argument is changed.
 */
export function mergeValues(base: HelmValues, override: HelmValues): HelmValues {
    const merged: HelmValues = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const current = merged[key];
        merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
    }
    return merged;
}

/** Kubernetes container resources from config: requests and a memory limit, no CPU limit. */
export function containerResources(resources: Resources) {
    return {
        requests: { cpu: resources.requests.cpu, memory: resources.requests.memory },
        limits: { memory: resources.limits.memory },
    };
}

/** What every component passes to `releaseArgs`. */
/** What every component that installs one chart takes, beside its own config slice. */
export interface ChartComponentArgs {
    /** The namespace to install into; created by the caller. */
    readonly namespace: pulumi.Input<string>;
    /** The exact chart version. */
    readonly version: string;
    /** Chart values deep-merged last; they win. Default {}. */
    readonly extraValues?: HelmValues;
}

export interface ReleaseSettings {
    /** Which chart, by its key in `versions.ts`. */
    readonly chart: ChartKey;
    /** The exact chart version (from `versions.<chart>` config). */
    readonly version: string;
    /** The Helm release name; service names derive from it. */
    readonly releaseName: string;
    /** The namespace to install into. */
    readonly namespace: pulumi.Input<string>;
    /** The values, already merged with the stack's `extraValues`. */
    readonly values: HelmValues;
    /** How long Helm may wait for the release to become ready, in seconds. */
    readonly timeoutSeconds: number;
}

/**
 * The arguments of a `helm.v3.Release`: a real Helm install, so chart hooks run (kube-prometheus-stack's
 * admission-webhook certificates come from hooks, which `helm.v4.Chart` would not run). Atomic: a
 * failed install or upgrade rolls back, and cleanupOnFail removes what it created.
 */
export function releaseArgs(settings: ReleaseSettings): k8s.helm.v3.ReleaseArgs {
    const chart = charts[settings.chart];
    return {
        name: settings.releaseName,
        chart: chart.chart,
        version: settings.version,
        repositoryOpts: { repo: chart.repository },
        namespace: settings.namespace,
        createNamespace: false,
        values: settings.values,
        atomic: true,
        cleanupOnFail: true,
        timeout: settings.timeoutSeconds,
        maxHistory: 10,
    };
}
