// The schema's parts that several areas share: a workload's resources and a persistent volume.

import { z } from "zod";
import { quantity } from "../formats";

export const resources = (requests: { cpu: string; memory: string }, memoryLimit: string) =>
    z
        .strictObject({
            /** What the scheduler reserves. */
            requests: z
                .strictObject({ cpu: quantity.default(requests.cpu), memory: quantity.default(requests.memory) })
                .prefault({}),
            /** The memory limit (no CPU limit: CPU throttling hurts latency more than it protects). */
            limits: z.strictObject({ memory: quantity.default(memoryLimit) }).prefault({}),
        })
        .prefault({});

export type Resources = z.infer<ReturnType<typeof resources>>;

/** A persistent volume; `enabled: false` means an emptyDir (data lost with the pod). */
export const persistentVolume = (enabled: boolean, size: string) =>
    z
        .strictObject({
            enabled: z.boolean().default(enabled),
            size: quantity.default(size),
            /** The StorageClass; unset uses the cluster's default class. */
            storageClass: z.string().min(1).optional(),
        })
        .prefault({});

export type PersistentVolume = z.infer<ReturnType<typeof persistentVolume>>;
