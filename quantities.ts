// Kubernetes resource quantities as numbers: the program sizes Jaeger's memory store from its memory
// limit, and check-charts totals the requests of every rendered container.

const memoryUnits: Record<string, number> = {
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
};

/** A Kubernetes memory quantity in bytes ("512Mi", "1G", "1.5e9"); throws on anything else. */
export function memoryBytes(quantity: string): number {
    const match = /^([0-9.]+(?:e[+-]?[0-9]+)?)([kMGT]i?|Ki)?$/.exec(quantity);
    const unit = memoryUnits[match?.[2] ?? ""];
    if (match === null || unit === undefined) throw new Error(`not a memory quantity: ${quantity}`);
    return Number(match[1]) * unit;
}
