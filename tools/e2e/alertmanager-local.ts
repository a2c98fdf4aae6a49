// The rendered alertmanager.yaml, made to run on loopback, changed only where it must be: the receiver
// credential files it reads from the operator's mount (/etc/alertmanager/secrets/<secret>/<key>) are
// written into a temporary folder holding loopback URLs and a canary routing key, and PagerDuty's events
// URL (global.pagerduty_url, unset in the render: PagerDuty's own) points at a fake PagerDuty.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { receiverSecretKeys } from "../../alerts/alertmanager-config";
import { startProcess, freePort, waitReady, type RunningProcess } from "./processes";

const mountRoot = "/etc/alertmanager/secrets";

export interface LocalReceivers {
    /** What each receiver Secret key holds here. */
    readonly secrets: Partial<Record<keyof typeof receiverSecretKeys, string>>;
    /** The fake PagerDuty's events URL. */
    readonly pagerdutyUrl: string;
}

/** Rewrites the rendered config for this machine and writes the credential files it reads. */
export function localAlertmanagerConfig(rendered: string, directory: string, receivers: LocalReceivers): string {
    const secrets = join(directory, "secrets");
    const paths = [...rendered.matchAll(/\/etc\/alertmanager\/secrets\/([^/\s]+)\/([^\s"']+)/g)];
    if (paths.length === 0) throw new Error("the rendered alertmanager.yaml reads no credential file");
    for (const [, secretName, key] of paths) {
        const field = (Object.keys(receiverSecretKeys) as (keyof typeof receiverSecretKeys)[]).find(
            (name) => receiverSecretKeys[name] === key,
        );
        const value = field === undefined ? undefined : receivers.secrets[field];
        if (value === undefined) throw new Error(`no local value for the receiver Secret key ${key}`);
        mkdirSync(join(secrets, secretName as string), { recursive: true });
        writeFileSync(join(secrets, secretName as string, key as string), value);
    }
    const config = parse(rendered.replaceAll(mountRoot, secrets)) as { global?: Record<string, unknown> };
    config.global = { ...config.global, pagerduty_url: receivers.pagerdutyUrl };
    return stringify(config);
}

export interface LocalAlertmanager {
    readonly url: string;
    readonly process: RunningProcess;
}

/** Starts `alertmanager` (as .ci/install-tools.sh installs it) on loopback, single node, and waits for it. */
export async function startAlertmanager(directory: string, configText: string): Promise<LocalAlertmanager> {
    const configFile = join(directory, "alertmanager.yaml");
    writeFileSync(configFile, configText);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const process = await startProcess("alertmanager", "alertmanager", [
        `--config.file=${configFile}`,
        `--storage.path=${join(directory, "alertmanager-data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // One instance: no gossip port (it would listen on 0.0.0.0:9094 by default).
        "--cluster.listen-address=",
    ]);
    try {
        await waitReady(process, `${url}/-/ready`);
    } catch (error) {
        await process.stop();
        throw error;
    }
    return { url, process };
}
