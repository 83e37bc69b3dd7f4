/**
 * Kubernetes resource quantities, parsed and checked so that `"12 GB"`, `"512m"` of memory
 * or `"2Gi"` of CPU are errors here rather than rejected manifests (or silent surprises) later.
 */

/** A CPU amount: cores as a number (`0.5`, `2`) or a string (`"500m"`, `"0.5"`, `"2"`). */
export type CpuQuantity = string | number;
/** A memory or storage amount in bytes with a binary or decimal suffix: `"512Mi"`, `"2Gi"`, `"500M"`. */
export type MemoryQuantity = string;

const CPU_PATTERN = /^(\d+(\.\d+)?|\.\d+)(m)?$/;
const MEMORY_PATTERN = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const MEMORY_FACTORS: Record<string, number> = {
  "": 1,
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

/** Result of parsing a quantity: a number, or the reason it is not one. */
export type Parsed = { ok: true; value: number } | { ok: false; reason: string };

/** Parses a CPU quantity into millicores. */
export function parseCpu(quantity: CpuQuantity): Parsed {
  if (typeof quantity === "number") {
    if (!Number.isFinite(quantity) || quantity <= 0) {
      return { ok: false, reason: "expected a positive number of cores (0.5) or millicores (\"500m\")" };
    }
    return checkMillicores(quantity * 1000);
  }
  const match = CPU_PATTERN.exec(quantity);
  if (!match) {
    return { ok: false, reason: "expected cores (\"0.5\", \"2\") or millicores (\"500m\")" };
  }
  const amount = Number(match[1]);
  const millicores = match[3] === "m" ? amount : amount * 1000;
  if (millicores <= 0) return { ok: false, reason: "expected a CPU amount greater than zero" };
  return checkMillicores(millicores);
}

/** More CPU than any node has: a typo (`"2000"` for `"2000m"`), not a request. */
export const MAX_CPU_MILLICORES = 1000 * 1000;
/** More memory than any node has. */
export const MAX_MEMORY_BYTES = 2 ** 50;
/** Larger than any single volume a CSI driver provisions (EBS io2 and gp3 stop at 64 TiB). */
export const MAX_STORAGE_BYTES = 64 * 2 ** 40;

function checkMillicores(millicores: number): Parsed {
  const rounded = Math.round(millicores);
  if (Math.abs(millicores - rounded) > 1e-9 || rounded < 1) {
    return { ok: false, reason: "expected whole millicores of at least \"1m\"" };
  }
  if (rounded > MAX_CPU_MILLICORES) return { ok: false, reason: "expected at most 1000 cores (did you mean millicores, e.g. \"500m\"?)" };
  return { ok: true, value: rounded };
}

/** Parses a memory or storage quantity into bytes. */
export function parseMemory(quantity: MemoryQuantity): Parsed {
  if (typeof quantity !== "string") {
    return { ok: false, reason: "expected a string with a unit such as \"512Mi\" or \"2Gi\"" };
  }
  const match = MEMORY_PATTERN.exec(quantity);
  if (!match) {
    const hint = memoryHint(quantity);
    return { ok: false, reason: `expected bytes with a unit such as "512Mi", "2Gi" or "500M"${hint}` };
  }
  const bytes = Number(match[1]) * MEMORY_FACTORS[match[3] ?? ""];
  if (bytes <= 0) return { ok: false, reason: "expected an amount greater than zero" };
  if (!Number.isInteger(bytes)) return { ok: false, reason: "expected a whole number of bytes" };
  if (bytes > MAX_MEMORY_BYTES) return { ok: false, reason: "expected at most \"1Pi\" (more than any node or volume holds)" };
  return { ok: true, value: bytes };
}

/** Parses a volume size into bytes: a memory quantity of at most 64 TiB. */
export function parseStorage(quantity: MemoryQuantity): Parsed {
  const parsed = parseMemory(quantity);
  if (parsed.ok && parsed.value > MAX_STORAGE_BYTES) return { ok: false, reason: "expected at most \"64Ti\" (the largest volume a storage class provisions)" };
  return parsed;
}

/** Suggests the likely intended spelling for common mistakes ("512MB", "512m", "12 GB"). */
function memoryHint(quantity: string): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtTpP])([iI]?)[bB]?\s*$/.exec(quantity);
  if (!m) return "";
  const unit = m[2].toUpperCase() === "K" ? "Ki" : `${m[2].toUpperCase()}i`;
  return ` (did you mean "${m[1]}${unit}"?)`;
}

/** Formats millicores the way Kubernetes users write them: `"500m"` or `"2"`. */
export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Formats bytes with the largest binary unit that divides them (`"512Mi"`, `"2Gi"`), or as a decimal Gi figure. */
export function formatMemory(bytes: number): string {
  for (const unit of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
    const factor = MEMORY_FACTORS[unit];
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  if (bytes >= MEMORY_FACTORS.Gi) return `${(bytes / MEMORY_FACTORS.Gi).toFixed(2)}Gi`;
  if (bytes >= MEMORY_FACTORS.Mi) return `${(bytes / MEMORY_FACTORS.Mi).toFixed(1)}Mi`;
  return String(bytes);
}
