// The Kubernetes objects `helm template` renders: parsed (a `kind: List` flattened) and, for the core
// kinds, validated against kubernetes-models' schemas.

import { parseAllDocuments } from "yaml";

export type Json = Record<string, unknown>;
export interface Manifest {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata?: { readonly name?: string; readonly namespace?: string };
    readonly [key: string]: unknown;
}

/** A scalar as text (YAML may give a number where a string is meant); undefined for anything else. */
export const scalarText = (value: unknown): string | undefined =>
    typeof value === "string" || typeof value === "number" ? String(value) : undefined;
export const isObject = (value: unknown): value is Json =>
    value !== null && typeof value === "object" && !Array.isArray(value);
export const get = (node: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), node);

/** A model class of kubernetes-models: constructed from a plain object, `validate()` throws on violations. */
export type ModelClass = new (data: unknown) => { validate(): void };

/** The core kinds validated, by API group version. Any other apiVersion of these kinds is a failure. */
const validatedKinds: Record<string, readonly string[]> = {
    "apps/v1": ["Deployment", "StatefulSet", "DaemonSet"],
    v1: ["Service", "ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim"],
    "networking.k8s.io/v1": ["Ingress"],
    "rbac.authorization.k8s.io/v1": ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
    "policy/v1": ["PodDisruptionBudget"],
    "batch/v1": ["Job"],
};

/**
 * Loads the model classes, by `apiVersion/kind`. kubernetes-models is ESM-only (its exports have no
 * `require` condition), so it is loaded with a native dynamic import.
 */
export async function loadModels(): Promise<Map<string, ModelClass>> {
    const models = new Map<string, ModelClass>();
    for (const [apiVersion, kinds] of Object.entries(validatedKinds)) {
        const specifier = `kubernetes-models/${apiVersion}`;
        const module = (await import(specifier)) as Record<string, ModelClass | undefined>;
        for (const kind of kinds) {
            const model = module[kind];
            if (model === undefined) throw new Error(`${specifier} has no model ${kind}`);
            models.set(`${apiVersion}/${kind}`, model);
        }
    }
    return models;
}

const coreKinds = new Set(Object.values(validatedKinds).flat());
export const workloadKinds = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/** Parses helm's output; `kind: List` objects (kube-prometheus-stack's additional monitors) are flattened. */
export function parseManifests(text: string): Manifest[] {
    const manifests: Manifest[] = [];
    const add = (object: unknown) => {
        if (!isObject(object)) return;
        if (object.kind === "List" && Array.isArray(object.items)) object.items.forEach(add);
        else if (typeof object.kind === "string" && typeof object.apiVersion === "string")
            manifests.push(object as Manifest);
    };
    for (const document of parseAllDocuments(text)) {
        if (document.errors.length > 0)
            throw new Error(`helm output is not YAML: ${document.errors[0]?.message ?? ""}`);
        add(document.toJS());
    }
    return manifests;
}

export const describe = (manifest: Manifest) => `${manifest.kind}/${manifest.metadata?.name ?? "?"}`;

/** Schema problems of the core-kind objects. */
export function validateManifests(manifests: readonly Manifest[], models: ReadonlyMap<string, ModelClass>): string[] {
    const problems: string[] = [];
    for (const manifest of manifests) {
        if (!coreKinds.has(manifest.kind)) continue;
        const Model = models.get(`${manifest.apiVersion}/${manifest.kind}`);
        if (Model === undefined) {
            problems.push(`${describe(manifest)}: unexpected apiVersion ${manifest.apiVersion}`);
            continue;
        }
        try {
            new Model(manifest).validate();
        } catch (error) {
            problems.push(`${describe(manifest)}: ${(error as Error).message.replace(/\s+/g, " ")}`);
        }
    }
    return problems;
}
