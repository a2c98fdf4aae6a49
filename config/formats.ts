// Value formats: what a config value must look like (a duration, a quantity, a DNS label, a URL, …),
// each refusing a bad value with a message that says what is allowed and echoes what was given.

import { z } from "zod";

const durationPattern = /^(\d+(ms|s|m|h|d|w|y))+$/;
const quantityPattern = /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const byteSizePattern = /^\d+(\.\d+)?(B|KB|MB|GB|TB|PB|EB)$/;
export const exactVersionPattern = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const dnsNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const shown = (input: unknown) => JSON.stringify(input);

export function formatted(pattern: RegExp, what: string) {
    return z.string().refine((value) => pattern.test(value), {
        error: (issue) => `expected ${what}, got ${shown(issue.input)}`,
    });
}

/** A Prometheus-style duration: 30s, 5m, 4h, 15d, 1h30m. */
export const duration = formatted(durationPattern, "a duration such as 30s, 5m, 168h or 15d");
/** A Kubernetes resource quantity: 100m, 0.5, 256Mi, 10Gi; `pulumi config set --path … 2` stores a number. */
export const quantity = z.preprocess(
    (value) => (typeof value === "number" ? String(value) : value),
    formatted(quantityPattern, "a Kubernetes quantity such as 100m, 256Mi or 10Gi"),
);
/** A Prometheus byte size, for retentionSize: 45GB. */
export const byteSize = formatted(byteSizePattern, "a size with a unit B, KB, MB, GB, TB or PB, such as 45GB");
/** A Loki byte size: 256KB, 3MB. */
export const lokiByteSize = formatted(/^\d+(KB|MB|GB)$/, "a size in KB, MB or GB, such as 256KB or 3MB");

/**
 * Whether a value reads back unchanged when it is pasted, unquoted, after `key: ` in a YAML block
 * mapping: what Loki does with ${VAR} in its config (-config.expand-env) before it parses the file.
 * A " #" starts a comment, ": " a mapping, a leading indicator an alias, tag, flow or block scalar.
 */
export function survivesYamlExpansion(value: string): boolean {
    return (
        // Line breaks and other control characters (a tab is fine inside a plain scalar).
        ![...value].some((char) => char !== "\t" && (char < " " || char === "\x7f")) &&
        !/^[\s,[\]{}#&*!|>'"%@`]/.test(value) &&
        !/^[-?:](\s|$)/.test(value) &&
        !/\s$/.test(value) &&
        !/\s#|:\s|:$/.test(value) &&
        !/^(~|null|Null|NULL)$/.test(value)
    );
}
export const dnsLabel = formatted(dnsLabelPattern, "a DNS label (lower-case letters, digits and '-')");
export const labelValue = formatted(labelValuePattern, "a Kubernetes label value");
export const dnsName = formatted(dnsNamePattern, "a lower-case DNS name such as system-node-critical");
/**
 * A number that also takes its decimal text: `pulumi config set --path a.b 0.5` stores "0.5" as a
 * string (only integers and booleans are typed without --type).
 */
export function numeric<T extends z.ZodNumber>(schema: T) {
    return z.preprocess(
        (value) => (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value),
        schema,
    );
}

export const port = numeric(z.number().int().min(1).max(65535));
export const metricName = formatted(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "a Prometheus metric or label name");
/** A share between 0 and 1, exclusive: 0.999. A percentage is the usual slip; the message converts it. */
const ratioMessage = (issue: { input?: unknown }) => {
    const input = issue.input;
    const percentage =
        typeof input === "number" && input > 1 && input < 100
            ? ` (for ${input}% write ${Number((input / 100).toPrecision(12))})`
            : "";
    return `expected a ratio between 0 and 1, such as 0.999, got ${shown(input)}${percentage}`;
};
export const ratio = numeric(z.number().gt(0, { error: ratioMessage }).lt(1, { error: ratioMessage }));

export function httpUrl(what = "an http(s) URL") {
    return z.string().refine(isHttpUrl, { error: (issue) => `expected ${what}, got ${shown(issue.input)}` });
}

export function isHttpUrl(value: string): boolean {
    try {
        const url = new URL(value);
        return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
    } catch {
        return false;
    }
}

/** An https:// URL: what an identity provider's endpoints must be (credentials and tokens cross them). */
export function httpsUrl(what: string) {
    return z.string().refine((value) => isHttpUrl(value) && value.startsWith("https://"), {
        error: (issue) => `expected ${what}, got ${shown(issue.input)}`,
    });
}

const quantityFactors: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};
/** Prometheus reads retentionSize in powers of two: 1KB is 1024 bytes, 1GB is 1 GiB. */
const byteSizeFactors: Record<string, number> = {
    B: 1,
    KB: 2 ** 10,
    MB: 2 ** 20,
    GB: 2 ** 30,
    TB: 2 ** 40,
    PB: 2 ** 50,
    EB: 2 ** 60,
};

/** The bytes of a Kubernetes quantity (already validated). */
export function quantityBytes(quantity: string): number {
    const [, number = "0", unit = ""] = /^(\d+(?:\.\d+)?)(\D*)$/.exec(quantity) ?? [];
    return Number(number) * (quantityFactors[unit] ?? Number.NaN);
}

/** The bytes of a Prometheus byte size (already validated), as Prometheus counts them. */
export function byteSizeBytes(size: string): number {
    const [, number = "0", unit = ""] = /^(\d+(?:\.\d+)?)(\D+)$/.exec(size) ?? [];
    return Number(number) * (byteSizeFactors[unit] ?? Number.NaN);
}

/** The share of the volume the TSDB may fill: compaction writes a new block before it deletes the old ones. */
export const maxRetentionShare = 0.85;
